-- Data only: a delivery's history entries that a status wrote carried the status only in their
-- note ("status 02: <Description>"); they now carry it as fields (statusCode, description), which
-- is what the code reads. Rewrite the entries written before, so nothing parses notes any more.
UPDATE "relay_delivery" AS d
SET "history" = (
  SELECT jsonb_agg(
           CASE
             WHEN e ? 'statusCode' OR NOT (e->>'note' ~ '^status [0-9]{2}(:|$)') THEN e
             WHEN e->>'note' ~ '^status [0-9]{2}: ' THEN
               e || jsonb_build_object(
                 'statusCode', substring(e->>'note' FROM 8 FOR 2),
                 'description', substring(e->>'note' FROM 12))
             ELSE e || jsonb_build_object('statusCode', substring(e->>'note' FROM 8 FOR 2))
           END
           ORDER BY ord)
  FROM jsonb_array_elements(d."history") WITH ORDINALITY AS h(e, ord)
)
WHERE jsonb_typeof(d."history") = 'array'
  AND EXISTS (
    SELECT 1 FROM jsonb_array_elements(d."history") AS x(e)
    WHERE x.e->>'note' ~ '^status [0-9]{2}(:|$)' AND NOT x.e ? 'statusCode'
  );

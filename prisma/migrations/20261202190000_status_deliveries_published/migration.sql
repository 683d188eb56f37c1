-- Issue 13, defect 6: the relay worker moved only documents' deliveries to `published` when the
-- broker confirmed them; a relayed status package's delivery stayed `queued` for good. Deliveries
-- whose outbox row is done were published: record it, with a note saying how it was found.
UPDATE "relay_delivery" AS d
SET "state" = 'published',
    "history" = d."history" || jsonb_build_array(jsonb_build_object(
      'state', 'published',
      'at', to_char(o."done_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'note', 'broker confirmed (recorded by a migration: status deliveries were not moved)',
      'outcome', 'moved')),
    "updated_at" = now()
FROM "relay_package" AS p, "outbox_message" AS o
WHERE p."id" = d."package_id"
  AND p."kind" = 'status'
  AND d."state" = 'queued'
  AND o."state" = 'done'
  AND o."target_organ_id" = d."to_organ_id"
  AND o."headers" ->> 'packageId' = d."package_id"::text;

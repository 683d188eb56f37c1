-- Full-text search keeps each word that has tone marks (or đ) once more as written, lower case,
-- without a position (registry/domain/full-text.ts searchVector), so that rows holding the words a
-- clerk typed with marks are listed first. Rows written before: those words from their fields and
-- their files' text, cut as searchVector cuts Vietnamese text (lower case, NFC as stored, split at
-- every character that is not a Vietnamese letter or a digit). Spelled out here rather than left to
-- the database's locale, which decides what lower() and a letter class mean, and differs between
-- PostgreSQL installations and the embedded database.
UPDATE "document" d SET "search_vector" = d."search_vector" || array_to_tsvector(ARRAY(
    SELECT DISTINCT w FROM regexp_split_to_table(lower(translate(concat_ws(' ', d."subject", d."notation", d."sender_name", d."sender_organ_id",
      (SELECT string_agg(t."text", ' ') FROM "item_text" t WHERE t."intake_item_id" = d."intake_item_id")), 'ÀÁẠẢÃĂẰẮẶẲẴÂẦẤẬẨẪÈÉẸẺẼÊỀẾỆỂỄÌÍỊỈĨÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠÙÚỤỦŨƯỪỨỰỬỮỲÝỴỶỸĐ', 'àáạảãăằắặẳẵâầấậẩẫèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ')), '[^a-z0-9àáạảãăằắặẳẵâầấậẩẫèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]+') AS w
     WHERE w ~ '[àáạảãăằắặẳẵâầấậẩẫèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]' AND length(w) <= 60))
WHERE d."search_vector" IS NOT NULL;

UPDATE "intake_item" i SET "search_vector" = i."search_vector" || array_to_tsvector(ARRAY(
    SELECT DISTINCT w FROM regexp_split_to_table(lower(translate(concat_ws(' ', i."subject", i."metadata"->'code'->>'notation', i."sender_name", i."sender_organ_id", i."sender_address",
      (SELECT string_agg(t."text", ' ') FROM "item_text" t WHERE t."intake_item_id" = i."id")), 'ÀÁẠẢÃĂẰẮẶẲẴÂẦẤẬẨẪÈÉẸẺẼÊỀẾỆỂỄÌÍỊỈĨÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠÙÚỤỦŨƯỪỨỰỬỮỲÝỴỶỸĐ', 'àáạảãăằắặẳẵâầấậẩẫèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ')), '[^a-z0-9àáạảãăằắặẳẵâầấậẩẫèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]+') AS w
     WHERE w ~ '[àáạảãăằắặẳẵâầấậẩẫèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]' AND length(w) <= 60))
WHERE i."search_vector" IS NOT NULL;

-- AlterTable
ALTER TABLE "document" ADD COLUMN     "search_vector" tsvector;

-- AlterTable
ALTER TABLE "intake_item" ADD COLUMN     "search_vector" tsvector;

-- CreateTable
CREATE TABLE "item_text" (
    "intake_item_id" UUID NOT NULL,
    "file_key" VARCHAR(200) NOT NULL,
    "text" TEXT NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "item_text_pkey" PRIMARY KEY ("intake_item_id","file_key")
);

-- Rows written before full-text search: their words from the folded columns they already hold
-- (search_text, subject_search, sender_search are folded as registry/domain/search-text.ts folds),
-- split at every character that is not a letter or digit, as searchVector() splits them, with each
-- pair of neighbouring words as one more lexeme ("chuyen_doi", no position) as searchVector() adds.
UPDATE "document" d SET "search_vector" = to_tsvector('simple', x.w)
  || array_to_tsvector(ARRAY(
  SELECT p FROM (SELECT word || '_' || lead(word) OVER (ORDER BY o) AS p FROM unnest(string_to_array(x.w, ' ')) WITH ORDINALITY AS u(word, o)) AS pairs
  WHERE p IS NOT NULL))
FROM (
  SELECT id, btrim(regexp_replace("search_text", '[^a-z0-9]+', ' ', 'g')) AS w FROM "document"
) AS x
WHERE d.id = x.id;

UPDATE "intake_item" i SET "search_vector" = to_tsvector('simple', x.w)
  || array_to_tsvector(ARRAY(
  SELECT p FROM (SELECT word || '_' || lead(word) OVER (ORDER BY o) AS p FROM unnest(string_to_array(x.w, ' ')) WITH ORDINALITY AS u(word, o)) AS pairs
  WHERE p IS NOT NULL))
FROM (
  SELECT id, w FROM (
    SELECT id, btrim(regexp_replace(concat_ws(' ', "subject_search", translate(COALESCE("metadata"->'code'->>'notation', ''), 'AàÀáÁạẠảẢãÃăĂằẰắẮặẶẳẲẵẴâÂầẦấẤậẬẩẨẫẪEèÈéÉẹẸẻẺẽẼêÊềỀếẾệỆểỂễỄIìÌíÍịỊỉỈĩĨOòÒóÓọỌỏỎõÕôÔồỒốỐộỘổỔỗỖơƠờỜớỚợỢởỞỡỠUùÙúÚụỤủỦũŨưƯừỪứỨựỰửỬữỮYỳỲýÝỵỴỷỶỹỸđĐABCDEFGHIJKLMNOPQRSTUVWXYZ', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeeeeeeeeiiiiiiiiiiiooooooooooooooooooooooooooooooooooouuuuuuuuuuuuuuuuuuuuuuuyyyyyyyyyyyddabcdefghijklmnopqrstuvwxyz'), "sender_search"), '[^a-z0-9]+', ' ', 'g')) AS w
    FROM "intake_item"
  ) AS s
) AS x
WHERE i.id = x.id;

-- CreateIndex
CREATE INDEX "document_search_vector_idx" ON "document" USING GIN ("search_vector");

-- CreateIndex
CREATE INDEX "intake_item_search_vector_idx" ON "intake_item" USING GIN ("search_vector");

-- AddForeignKey
ALTER TABLE "item_text" ADD CONSTRAINT "item_text_intake_item_id_fkey" FOREIGN KEY ("intake_item_id") REFERENCES "intake_item"("id") ON DELETE CASCADE ON UPDATE CASCADE;

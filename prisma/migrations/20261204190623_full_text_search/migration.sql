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
-- split at every character that is not a letter or digit, as searchVector() splits them.
UPDATE "document" SET "search_vector" = to_tsvector('simple', regexp_replace("search_text", '[^a-z0-9]+', ' ', 'g'));
UPDATE "intake_item" SET "search_vector" = to_tsvector('simple', regexp_replace(
  concat_ws(' ', "subject_search", translate(COALESCE("metadata"->'code'->>'notation', ''), 'AàÀáÁạẠảẢãÃăĂằẰắẮặẶẳẲẵẴâÂầẦấẤậẬẩẨẫẪEèÈéÉẹẸẻẺẽẼêÊềỀếẾệỆểỂễỄIìÌíÍịỊỉỈĩĨOòÒóÓọỌỏỎõÕôÔồỒốỐộỘổỔỗỖơƠờỜớỚợỢởỞỡỠUùÙúÚụỤủỦũŨưƯừỪứỨựỰửỬữỮYỳỲýÝỵỴỷỶỹỸđĐABCDEFGHIJKLMNOPQRSTUVWXYZ', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeeeeeeeeiiiiiiiiiiiooooooooooooooooooooooooooooooooooouuuuuuuuuuuuuuuuuuuuuuuyyyyyyyyyyyddabcdefghijklmnopqrstuvwxyz'), "sender_search"), '[^a-z0-9]+', ' ', 'g'));

-- CreateIndex
CREATE INDEX "document_search_vector_idx" ON "document" USING GIN ("search_vector");

-- CreateIndex
CREATE INDEX "intake_item_search_vector_idx" ON "intake_item" USING GIN ("search_vector");

-- AddForeignKey
ALTER TABLE "item_text" ADD CONSTRAINT "item_text_intake_item_id_fkey" FOREIGN KEY ("intake_item_id") REFERENCES "intake_item"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- DropIndex
DROP INDEX "intake_item_subject_idx";

-- AlterTable
ALTER TABLE "intake_item" ADD COLUMN     "sender_name" VARCHAR(500),
ADD COLUMN     "sender_search" VARCHAR(900) NOT NULL DEFAULT '',
ADD COLUMN     "subject_search" TEXT NOT NULL DEFAULT '';

-- Items received before these columns: the sender's name from the package, else the directory;
-- the folded texts as registry/domain/search-text.ts folds them (NFC Vietnamese letters and ASCII;
-- lower() would depend on the database's locale, translate() does not).
UPDATE "intake_item" i SET "sender_name" = COALESCE(
  NULLIF(btrim(i."metadata"->'from'->>'organName'), ''),
  (SELECT a."name" FROM "agency" a WHERE a."organ_id" = i."sender_organ_id"),
  (SELECT a."name" FROM "agency_alias" x JOIN "agency" a ON a."id" = x."agency_id" WHERE x."organ_id" = i."sender_organ_id")
)
WHERE i."sender_organ_id" IS NOT NULL OR i."metadata"->'from' ? 'organName';

UPDATE "intake_item" SET
  "subject_search" = btrim(regexp_replace(translate(COALESCE("subject", ''), 'AàÀáÁạẠảẢãÃăĂằẰắẮặẶẳẲẵẴâÂầẦấẤậẬẩẨẫẪEèÈéÉẹẸẻẺẽẼêÊềỀếẾệỆểỂễỄIìÌíÍịỊỉỈĩĨOòÒóÓọỌỏỎõÕôÔồỒốỐộỘổỔỗỖơƠờỜớỚợỢởỞỡỠUùÙúÚụỤủỦũŨưƯừỪứỨựỰửỬữỮYỳỲýÝỵỴỷỶỹỸđĐABCDEFGHIJKLMNOPQRSTUVWXYZ', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeeeeeeeeiiiiiiiiiiiooooooooooooooooooooooooooooooooooouuuuuuuuuuuuuuuuuuuuuuuyyyyyyyyyyyddabcdefghijklmnopqrstuvwxyz'), '\s+', ' ', 'g')),
  "sender_search" = left(btrim(regexp_replace(translate(concat_ws(' ', "sender_name", "sender_organ_id", "sender_address"), 'AàÀáÁạẠảẢãÃăĂằẰắẮặẶẳẲẵẴâÂầẦấẤậẬẩẨẫẪEèÈéÉẹẸẻẺẽẼêÊềỀếẾệỆểỂễỄIìÌíÍịỊỉỈĩĨOòÒóÓọỌỏỎõÕôÔồỒốỐộỘổỔỗỖơƠờỜớỚợỢởỞỡỠUùÙúÚụỤủỦũŨưƯừỪứỨựỰửỬữỮYỳỲýÝỵỴỷỶỹỸđĐABCDEFGHIJKLMNOPQRSTUVWXYZ', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeeeeeeeeiiiiiiiiiiiooooooooooooooooooooooooooooooooooouuuuuuuuuuuuuuuuuuuuuuuyyyyyyyyyyyddabcdefghijklmnopqrstuvwxyz'), '\s+', ' ', 'g')), 900);

-- CreateIndex
CREATE INDEX "intake_item_subject_search_idx" ON "intake_item" USING GIN ("subject_search" gin_trgm_ops);

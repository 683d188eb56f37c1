-- CreateEnum
CREATE TYPE "FileTextState" AS ENUM ('pending', 'reading', 'read', 'not_read', 'failed');

-- CreateEnum
CREATE TYPE "FileTextMethod" AS ENUM ('text_layer', 'ocr', 'office', 'none');

-- CreateTable
CREATE TABLE "file_text" (
    "attachment_id" UUID NOT NULL,
    "intake_item_id" UUID NOT NULL,
    "state" "FileTextState" NOT NULL DEFAULT 'pending',
    "method" "FileTextMethod",
    "pages_total" INTEGER,
    "pages_read" INTEGER,
    "text" TEXT,
    "first_page_text" TEXT,
    "reason" VARCHAR(100),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lease_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "duration_ms" INTEGER,

    CONSTRAINT "file_text_pkey" PRIMARY KEY ("attachment_id")
);

-- CreateIndex
CREATE INDEX "file_text_state_created_at_idx" ON "file_text"("state", "created_at");

-- CreateIndex
CREATE INDEX "file_text_intake_item_id_idx" ON "file_text"("intake_item_id");

-- CreateIndex
CREATE INDEX "file_text_finished_at_idx" ON "file_text"("finished_at");

-- AddForeignKey
ALTER TABLE "file_text" ADD CONSTRAINT "file_text_attachment_id_fkey" FOREIGN KEY ("attachment_id") REFERENCES "attachment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

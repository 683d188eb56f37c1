-- AlterTable
ALTER TABLE "file_text" ADD COLUMN     "last_page_text" TEXT;

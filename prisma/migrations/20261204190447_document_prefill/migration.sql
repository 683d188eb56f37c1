-- AlterTable
ALTER TABLE "document" ADD COLUMN     "prefill" JSONB;

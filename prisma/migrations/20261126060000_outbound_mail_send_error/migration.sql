-- AlterTable
ALTER TABLE "outbound_mail" ADD COLUMN     "send_error" VARCHAR(1000),
ADD COLUMN     "send_failed_at" TIMESTAMPTZ(3);

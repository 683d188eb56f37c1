-- AlterEnum
ALTER TYPE "AgencyChannel" ADD VALUE 'national';

-- AlterTable
ALTER TABLE "agency" ALTER COLUMN "organ_id" SET DATA TYPE VARCHAR(20);

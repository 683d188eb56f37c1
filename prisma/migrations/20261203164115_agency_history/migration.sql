-- CreateEnum
CREATE TYPE "AliasReason" AS ENUM ('merger', 'code_change');

-- AlterTable
ALTER TABLE "agency" ADD COLUMN     "retired_on" DATE,
ADD COLUMN     "successor_id" UUID;

-- AlterTable
ALTER TABLE "agency_alias" ADD COLUMN     "closed_on" DATE,
ADD COLUMN     "reason" "AliasReason" NOT NULL DEFAULT 'code_change',
ADD COLUMN     "retired_agency_id" UUID;

-- AddForeignKey
ALTER TABLE "agency" ADD CONSTRAINT "agency_successor_id_fkey" FOREIGN KEY ("successor_id") REFERENCES "agency"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agency_alias" ADD CONSTRAINT "agency_alias_retired_agency_id_fkey" FOREIGN KEY ("retired_agency_id") REFERENCES "agency"("id") ON DELETE SET NULL ON UPDATE CASCADE;

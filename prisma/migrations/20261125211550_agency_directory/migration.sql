-- CreateEnum
CREATE TYPE "AgencyChannel" AS ENUM ('hosted', 'partner', 'email');

-- CreateEnum
CREATE TYPE "SignaturePolicy" AS ENUM ('record_only', 'require_trusted');

-- CreateTable
CREATE TABLE "agency" (
    "id" UUID NOT NULL,
    "organ_id" VARCHAR(13) NOT NULL,
    "name" VARCHAR(500) NOT NULL,
    "channel" "AgencyChannel" NOT NULL,
    "signature_policy" "SignaturePolicy" NOT NULL DEFAULT 'record_only',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "agency_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "agency_email" (
    "address" VARCHAR(320) NOT NULL,
    "agency_id" UUID NOT NULL,

    CONSTRAINT "agency_email_pkey" PRIMARY KEY ("address")
);

-- CreateTable
CREATE TABLE "agency_alias" (
    "organ_id" VARCHAR(20) NOT NULL,
    "agency_id" UUID NOT NULL,

    CONSTRAINT "agency_alias_pkey" PRIMARY KEY ("organ_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "agency_organ_id_key" ON "agency"("organ_id");

-- CreateIndex
CREATE INDEX "agency_email_agency_id_idx" ON "agency_email"("agency_id");

-- CreateIndex
CREATE INDEX "agency_alias_agency_id_idx" ON "agency_alias"("agency_id");

-- AddForeignKey
ALTER TABLE "agency_email" ADD CONSTRAINT "agency_email_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agency_alias" ADD CONSTRAINT "agency_alias_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE CASCADE ON UPDATE CASCADE;

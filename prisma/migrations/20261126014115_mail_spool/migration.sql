-- CreateTable
CREATE TABLE "mail_spool" (
    "id" BIGSERIAL NOT NULL,
    "source" "IntakeSource" NOT NULL,
    "envelope" JSONB NOT NULL,
    "raw" BYTEA NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lease_until" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,

    CONSTRAINT "mail_spool_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "mail_spool_lease_until_id_idx" ON "mail_spool"("lease_until", "id");

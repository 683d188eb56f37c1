-- CreateTable
CREATE TABLE "audit_timestamp" (
    "id" BIGSERIAL NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" CHAR(64) NOT NULL,
    "accumulator" CHAR(64) NOT NULL,
    "token" BYTEA NOT NULL,
    "gen_time" TIMESTAMPTZ(3) NOT NULL,
    "tsa" VARCHAR(500) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_timestamp_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_timestamp_seq_idx" ON "audit_timestamp"("seq");

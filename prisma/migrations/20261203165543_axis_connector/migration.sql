-- CreateTable
CREATE TABLE "axis_received" (
    "doc_id" VARCHAR(200) NOT NULL,
    "message_type" VARCHAR(10) NOT NULL,
    "outcome" VARCHAR(20) NOT NULL,
    "package_id" UUID,
    "from_organ_id" VARCHAR(20),
    "reason" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "acknowledge" VARCHAR(4),
    "acknowledged_at" TIMESTAMPTZ(3),
    "stored_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "axis_received_pkey" PRIMARY KEY ("doc_id")
);

-- CreateTable
CREATE TABLE "axis_sent" (
    "outbox_id" UUID NOT NULL,
    "package_id" UUID,
    "from_organ_id" VARCHAR(20) NOT NULL,
    "to_organ_id" VARCHAR(20) NOT NULL,
    "message_type" VARCHAR(10) NOT NULL,
    "notation" VARCHAR(200),
    "title" VARCHAR(500),
    "attempt_at" TIMESTAMPTZ(3),
    "attempt_over_at" TIMESTAMPTZ(3),
    "axis_doc_id" VARCHAR(200),
    "accepted_at" TIMESTAMPTZ(3),
    "refusal" TEXT,
    "learnt" VARCHAR(12),

    CONSTRAINT "axis_sent_pkey" PRIMARY KEY ("outbox_id")
);

-- CreateIndex
CREATE INDEX "axis_received_acknowledged_at_idx" ON "axis_received"("acknowledged_at");

-- CreateIndex
CREATE INDEX "axis_received_stored_at_idx" ON "axis_received"("stored_at");

-- CreateIndex
CREATE UNIQUE INDEX "axis_sent_axis_doc_id_key" ON "axis_sent"("axis_doc_id");

-- CreateIndex
CREATE INDEX "axis_sent_from_organ_id_attempt_at_idx" ON "axis_sent"("from_organ_id", "attempt_at");

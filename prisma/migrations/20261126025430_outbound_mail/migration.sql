-- CreateTable
CREATE TABLE "outbound_mail" (
    "id" UUID NOT NULL,
    "message_id" VARCHAR(998) NOT NULL,
    "kind" VARCHAR(20) NOT NULL,
    "recipients" VARCHAR(320)[],
    "intake_item_ids" UUID[] DEFAULT ARRAY[]::UUID[],
    "package_id" UUID,
    "to_organ_id" VARCHAR(20),
    "subject" VARCHAR(300),
    "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "outcome" VARCHAR(20),
    "outcome_status" VARCHAR(200),
    "outcome_diagnostic" VARCHAR(1000),
    "outcome_at" TIMESTAMPTZ(3),
    "report_item_id" UUID,

    CONSTRAINT "outbound_mail_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "outbound_mail_message_id_key" ON "outbound_mail"("message_id");

-- CreateIndex
CREATE INDEX "outbound_mail_package_id_to_organ_id_idx" ON "outbound_mail"("package_id", "to_organ_id");

-- CreateIndex
CREATE INDEX "outbound_mail_sent_at_idx" ON "outbound_mail"("sent_at");

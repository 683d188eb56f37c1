-- CreateEnum
CREATE TYPE "DeliveryState" AS ENUM ('queued', 'published', 'received', 'rejected', 'accepted', 'assigned', 'processing', 'finished', 'recall_requested', 'recall_accepted', 'recall_refused', 'failed');

-- CreateTable
CREATE TABLE "relay_package" (
    "id" UUID NOT NULL,
    "kind" VARCHAR(10) NOT NULL,
    "from_organ_id" VARCHAR(20) NOT NULL,
    "document_key" VARCHAR(400),
    "business_type" INTEGER NOT NULL DEFAULT 0,
    "status_code" VARCHAR(2),
    "sha256" CHAR(64) NOT NULL,
    "submitted_via" VARCHAR(10) NOT NULL,
    "submitted_by" VARCHAR(200) NOT NULL,
    "verdict" JSONB NOT NULL DEFAULT '{}',
    "held_reason" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "relay_package_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "relay_delivery" (
    "package_id" UUID NOT NULL,
    "to_organ_id" VARCHAR(20) NOT NULL,
    "state" "DeliveryState" NOT NULL DEFAULT 'queued',
    "last_error" TEXT,
    "history" JSONB NOT NULL DEFAULT '[]',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "relay_delivery_pkey" PRIMARY KEY ("package_id","to_organ_id")
);

-- CreateIndex
CREATE INDEX "relay_package_document_key_idx" ON "relay_package"("document_key");

-- CreateIndex
CREATE INDEX "relay_package_received_at_idx" ON "relay_package"("received_at");

-- CreateIndex
CREATE UNIQUE INDEX "relay_package_from_organ_id_sha256_key" ON "relay_package"("from_organ_id", "sha256");

-- CreateIndex
CREATE INDEX "relay_delivery_to_organ_id_state_idx" ON "relay_delivery"("to_organ_id", "state");

-- CreateIndex
CREATE INDEX "relay_delivery_state_updated_at_idx" ON "relay_delivery"("state", "updated_at");

-- AddForeignKey
ALTER TABLE "relay_delivery" ADD CONSTRAINT "relay_delivery_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "relay_package"("id") ON DELETE CASCADE ON UPDATE CASCADE;

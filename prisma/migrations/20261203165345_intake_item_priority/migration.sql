-- AlterTable
ALTER TABLE "intake_item" ADD COLUMN     "priority" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "intake_item_agency_id_state_priority_received_at_id_idx" ON "intake_item"("agency_id", "state", "priority" DESC, "received_at" DESC, "id");

-- Items received before the column existed: their urgency is in the package's metadata.
UPDATE "intake_item" SET "priority" = ("metadata"->>'priority')::int
WHERE jsonb_typeof("metadata"->'priority') = 'number' AND ("metadata"->>'priority') IN ('1', '2', '3', '4');

-- CreateIndex
CREATE INDEX "document_agency_id_registered_at_id_idx" ON "document"("agency_id", "registered_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "document_agency_id_sender_organ_id_registered_at_id_idx" ON "document"("agency_id", "sender_organ_id", "registered_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "document_agency_id_direction_due_on_id_idx" ON "document"("agency_id", "direction", "due_on", "id");

-- CreateIndex
CREATE INDEX "intake_item_subject_idx" ON "intake_item" USING GIN ("subject" gin_trgm_ops);

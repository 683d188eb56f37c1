-- CreateTable
CREATE TABLE "broker_inbox" (
    "organ_id" VARCHAR(20) NOT NULL,
    "queue" VARCHAR(200) NOT NULL,
    "previous_queue" VARCHAR(200),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "broker_inbox_pkey" PRIMARY KEY ("organ_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "broker_inbox_queue_key" ON "broker_inbox"("queue");

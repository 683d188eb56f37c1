-- CreateTable
CREATE TABLE "relay_refusal" (
    "id" UUID NOT NULL,
    "submitter_organ_id" VARCHAR(20) NOT NULL,
    "submitted_via" VARCHAR(10) NOT NULL,
    "document_key" VARCHAR(400),
    "reasons" JSONB NOT NULL DEFAULT '[]',
    "refused_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "relay_refusal_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "relay_refusal_refused_at_idx" ON "relay_refusal"("refused_at");

-- CreateIndex
CREATE INDEX "relay_delivery_updated_at_idx" ON "relay_delivery"("updated_at");

-- Live events (docs/console.md, "Live updates"): every committed change that a console page shows
-- is announced on the channel `lienthong_events`, whichever process or path wrote it. NOTIFY is
-- transactional: listeners hear of a change only after its commit, never of a rolled-back one.
-- Payloads carry kinds and ids only, never content; the page fetches through the API, which
-- stays the only gate. `a` is the agency the event belongs to (null: admins only).
CREATE FUNCTION "lienthong_notify_event"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  payload jsonb;
BEGIN
  IF TG_TABLE_NAME = 'intake_item' THEN
    IF TG_OP = 'UPDATE' AND NEW."state" IS NOT DISTINCT FROM OLD."state" THEN RETURN NULL; END IF;
    payload := jsonb_build_object('k', CASE WHEN TG_OP = 'INSERT' THEN 'intake.created' ELSE 'intake.decided' END,
      'id', NEW."id", 'a', NEW."agency_id", 's', NEW."state");
  ELSIF TG_TABLE_NAME = 'document' THEN
    payload := jsonb_build_object('k', 'document.registered', 'id', NEW."id", 'a', NEW."agency_id");
  ELSIF TG_TABLE_NAME = 'relay_package' THEN
    payload := jsonb_build_object('k', 'relay.accepted', 'id', NEW."id",
      's', CASE WHEN NEW."held_reason" IS NULL THEN 'accepted' ELSE 'held' END);
  ELSIF TG_TABLE_NAME = 'relay_delivery' THEN
    IF TG_OP = 'UPDATE' AND NEW."state" IS NOT DISTINCT FROM OLD."state" THEN RETURN NULL; END IF;
    payload := jsonb_build_object('k', 'relay.delivery', 'id', NEW."package_id", 'to', NEW."to_organ_id",
      's', NEW."state");
  ELSIF TG_TABLE_NAME = 'relay_refusal' THEN
    payload := jsonb_build_object('k', 'relay.refused', 'id', NEW."id");
  ELSIF TG_TABLE_NAME = 'session' THEN
    -- A prefix of the session's hash: enough for the process holding its streams to close them.
    payload := jsonb_build_object('k', 'session.ended', 'id', left(OLD."token_hash", 16));
  ELSE
    RETURN NULL;
  END IF;
  PERFORM pg_notify('lienthong_events', payload::text);
  RETURN NULL;
END
$$;

CREATE TRIGGER "intake_item_live_event" AFTER INSERT OR UPDATE OF "state" ON "intake_item"
  FOR EACH ROW EXECUTE FUNCTION "lienthong_notify_event"();
CREATE TRIGGER "document_live_event" AFTER INSERT ON "document"
  FOR EACH ROW EXECUTE FUNCTION "lienthong_notify_event"();
CREATE TRIGGER "relay_package_live_event" AFTER INSERT ON "relay_package"
  FOR EACH ROW EXECUTE FUNCTION "lienthong_notify_event"();
CREATE TRIGGER "relay_delivery_live_event" AFTER INSERT OR UPDATE OF "state" ON "relay_delivery"
  FOR EACH ROW EXECUTE FUNCTION "lienthong_notify_event"();
CREATE TRIGGER "relay_refusal_live_event" AFTER INSERT ON "relay_refusal"
  FOR EACH ROW EXECUTE FUNCTION "lienthong_notify_event"();
CREATE TRIGGER "session_live_event" AFTER DELETE ON "session"
  FOR EACH ROW EXECUTE FUNCTION "lienthong_notify_event"();

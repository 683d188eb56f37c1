-- Directory changes (docs/directory.md, "Lookup speed"): every hub process keeps a copy of what
-- codes resolved to and drops it when the channel `lienthong_directory` is notified. Triggers
-- announce every change to the three directory tables, whichever process or path wrote it (the
-- directory's use cases, a restore, an operator's SQL). NOTIFY is delivered at commit; identical
-- notifications of one transaction are folded into one.
CREATE FUNCTION "lienthong_notify_directory"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('lienthong_directory', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER "agency_directory_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "agency"
  FOR EACH STATEMENT EXECUTE FUNCTION "lienthong_notify_directory"();
CREATE TRIGGER "agency_alias_directory_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "agency_alias"
  FOR EACH STATEMENT EXECUTE FUNCTION "lienthong_notify_directory"();
CREATE TRIGGER "agency_email_directory_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "agency_email"
  FOR EACH STATEMENT EXECUTE FUNCTION "lienthong_notify_directory"();

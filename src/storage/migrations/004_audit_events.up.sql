-- Audit trail written by the UI server through core (SPEC §3.2, §9.8).
CREATE TABLE IF NOT EXISTS audit_events (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    actor       text        NOT NULL,
    actor_role  text,
    action      text        NOT NULL,
    target_type text,
    target_id   uuid,
    details     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS audit_events_created_at_idx ON audit_events (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_events_target_idx ON audit_events (target_type, target_id);
CREATE INDEX IF NOT EXISTS audit_events_actor_created_idx ON audit_events (actor, created_at DESC);

-- +goose Up
-- What the experts and the draws put on record is never changed or removed
-- (like public_comments' content): draws, flag histories and adoption
-- reports are append-only; an opinion's content and signature stay as the
-- expert submitted them, only the unit's disposition may be set once; a
-- member's declaration, once made, stays.
CREATE TRIGGER expert_draws_append_only BEFORE UPDATE OR DELETE ON expert_draws
    FOR EACH ROW EXECUTE FUNCTION record_append_only();
CREATE TRIGGER expert_flag_events_append_only BEFORE UPDATE OR DELETE ON expert_flag_events
    FOR EACH ROW EXECUTE FUNCTION record_append_only();
CREATE TRIGGER expert_adoption_reports_append_only BEFORE UPDATE OR DELETE ON expert_adoption_reports
    FOR EACH ROW EXECUTE FUNCTION record_append_only();

-- +goose StatementBegin
CREATE FUNCTION expert_opinions_keep_content() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR OLD.disposition <> ''
        OR (NEW.case_id, NEW.expert_id, NEW.event_seq, NEW.necessity, NEW.feasibility, NEW.scientific, NEW.conclusion,
            NEW.signed_name, NEW.seal_sha256, NEW.body_sha256, NEW.submitted_at)
        IS DISTINCT FROM (OLD.case_id, OLD.expert_id, OLD.event_seq, OLD.necessity, OLD.feasibility, OLD.scientific, OLD.conclusion,
            OLD.signed_name, OLD.seal_sha256, OLD.body_sha256, OLD.submitted_at) THEN
        RAISE EXCEPTION 'expert_opinions keeps what the expert submitted: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER expert_opinions_keep_content BEFORE UPDATE OR DELETE ON expert_opinions
    FOR EACH ROW EXECUTE FUNCTION expert_opinions_keep_content();

-- +goose StatementBegin
CREATE FUNCTION panel_members_keep_declaration() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR (OLD.declared_seq IS NOT NULL AND
        (NEW.declared_at, NEW.declared_seq, NEW.direct_interest, NEW.interests, NEW.declaration_sha256)
        IS DISTINCT FROM (OLD.declared_at, OLD.declared_seq, OLD.direct_interest, OLD.interests, OLD.declaration_sha256))
        OR (NEW.case_id, NEW.expert_id, NEW.source, NEW.draw_id, NEW.rationale, NEW.selected_seq, NEW.selected_at)
        IS DISTINCT FROM (OLD.case_id, OLD.expert_id, OLD.source, OLD.draw_id, OLD.rationale, OLD.selected_seq, OLD.selected_at) THEN
        RAISE EXCEPTION 'panel_members keeps the selection and the declaration: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER panel_members_keep_declaration BEFORE UPDATE OR DELETE ON panel_members
    FOR EACH ROW EXECUTE FUNCTION panel_members_keep_declaration();

-- +goose Down
-- Forward-only: migrations are never rolled back in production.
SELECT 1;

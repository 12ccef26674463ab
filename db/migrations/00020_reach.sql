-- +goose Up
-- An overseer's reach (审计监督的管辖范围; spec §1.2 SUP, Art. 8(2), Art. 38):
-- the organisations whose cases, tasks, records, users, access log and annual
-- figures an auditor may read. Organisations form a tree (parent_id); the
-- reach is a subtree, computed here and nowhere else:
--
--   - an auditor reaches the government their organisation belongs to
--     (itself, or its nearest ancestor that is not a department: the audit
--     bureau of 宜阳县 reaches 宜阳县人民政府) and everything below it;
--   - users.reach_org configures another root (a municipal audit bureau
--     seated in a department of the city, a supervisor seconded elsewhere);
--   - users.reach_all is the provincial supervisor above all: every
--     organisation, including what belongs to none (failed logins);
--   - an admin, who runs the installation, reaches everything;
--   - every other role reaches nothing as an overseer (they see what their
--     own organisation takes part in; server/cases.go loadCase).
ALTER TABLE users ADD COLUMN reach_org text REFERENCES organisations (id);
ALTER TABLE users ADD COLUMN reach_all boolean NOT NULL DEFAULT false;

-- org_government is the government an organisation belongs to: itself if it
-- is not a department, else its nearest ancestor that is not one (or, for a
-- department without such an ancestor, the department itself).
-- +goose StatementBegin
CREATE FUNCTION org_government(org text) RETURNS text
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE up AS (
        SELECT id, parent_id, level, 0 AS depth FROM organisations WHERE id = org
        UNION ALL
        SELECT o.id, o.parent_id, o.level, up.depth + 1
        FROM organisations o JOIN up ON o.id = up.parent_id
        WHERE up.level = 'department' AND up.depth < 32
    )
    SELECT COALESCE((SELECT id FROM up WHERE level <> 'department' ORDER BY depth LIMIT 1), org);
$$;
-- +goose StatementEnd

-- user_reach is a user's reach as one value: '*' for everything, '' for
-- nothing, else the organisation whose subtree it is.
-- +goose StatementBegin
CREATE FUNCTION user_reach(uid uuid) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT COALESCE((
        SELECT CASE
            WHEN u.role = 'admin' OR (u.role = 'auditor' AND u.reach_all) THEN '*'
            WHEN u.role = 'auditor' THEN COALESCE(u.reach_org, org_government(u.org_id))
            ELSE '' END
        FROM users u WHERE u.id = uid), '');
$$;
-- +goose StatementEnd

-- reach_orgs lists the organisations a reach (user_reach's value) covers.
-- +goose StatementBegin
CREATE FUNCTION reach_orgs(reach text) RETURNS SETOF text
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE down AS (
        SELECT id, 0 AS depth FROM organisations WHERE reach = '*' OR id = reach
        UNION
        SELECT o.id, down.depth + 1 FROM organisations o JOIN down ON o.parent_id = down.id
        WHERE reach <> '*' AND down.depth < 32
    )
    SELECT DISTINCT id FROM down;
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION reach_orgs(text);
DROP FUNCTION user_reach(uuid);
DROP FUNCTION org_government(text);
ALTER TABLE users DROP COLUMN reach_all;
ALTER TABLE users DROP COLUMN reach_org;

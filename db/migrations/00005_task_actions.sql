-- +goose Up
-- Human-task actions (claim, delegate, transfer, return, co-review, comment),
-- deadline warnings (预警) and notifications.
ALTER TABLE tasks
    ADD COLUMN priority      int NOT NULL DEFAULT 0,
    ADD COLUMN delegate_id   uuid REFERENCES users (id),
    ADD COLUMN co_reviewers  jsonb NOT NULL DEFAULT '[]'::jsonb,
    ADD COLUMN return_reason text NOT NULL DEFAULT '',
    ADD COLUMN warning       text NOT NULL DEFAULT '' CHECK (warning IN ('', 'yellow', 'red')),
    ADD COLUMN yellow_at     timestamptz;

ALTER TABLE deadlines
    ADD COLUMN yellow_days int NOT NULL DEFAULT 0,
    ADD COLUMN yellow      timestamptz;

-- Inbox queries: my tasks, my organisation's unclaimed tasks for my role, by due date.
CREATE INDEX tasks_assignee_idx ON tasks (assignee_id, due_at, id) WHERE assignee_id IS NOT NULL;
CREATE INDEX tasks_delegate_idx ON tasks (delegate_id, due_at, id) WHERE delegate_id IS NOT NULL;
CREATE INDEX tasks_co_reviewers_idx ON tasks USING gin (co_reviewers jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX tasks_pool_idx ON tasks (org_id, role, due_at, id) WHERE state = 'open' AND assignee_id IS NULL;
CREATE INDEX tasks_org_idx ON tasks (org_id, due_at, id);
CREATE INDEX tasks_open_due_idx ON tasks (due_at, id) WHERE state IN ('open', 'claimed');
CREATE INDEX tasks_completed_by_idx ON tasks (completed_by, due_at, id) WHERE completed_by IS NOT NULL;
DROP INDEX tasks_inbox_idx;

CREATE TABLE task_comments (
    id         uuid PRIMARY KEY,
    task_id    uuid NOT NULL REFERENCES tasks (id),
    case_id    uuid NOT NULL REFERENCES cases (id),
    user_id    text NOT NULL,
    user_name  text NOT NULL,
    body       text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX task_comments_task_idx ON task_comments (task_id, created_at);

-- Notifications: in-app always; e-mail when SMTP is configured. key makes a
-- retried send store one notification.
ALTER TABLE users ADD COLUMN email text NOT NULL DEFAULT '';
CREATE TABLE notifications (
    id         bigserial PRIMARY KEY,
    key        text NOT NULL UNIQUE,
    user_id    uuid NOT NULL REFERENCES users (id),
    case_id    uuid REFERENCES cases (id),
    task_id    uuid REFERENCES tasks (id),
    kind       text NOT NULL,
    title      text NOT NULL,
    body       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz,
    emailed_at timestamptz,
    email_error text NOT NULL DEFAULT ''
);
CREATE INDEX notifications_user_idx ON notifications (user_id, read_at, id DESC);

-- +goose Down
SELECT 1;

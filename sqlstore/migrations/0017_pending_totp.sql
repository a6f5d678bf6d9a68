-- The second-factor key an officer is being shown, while they enrol: the
-- server makes it and keeps it, sealed, with the half-open session, so a
-- client can neither choose its own key nor swap one in.
ALTER TABLE sessions ADD COLUMN pending_secret TEXT;

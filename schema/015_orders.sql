-- 015_orders: several seats held together as one order.
--
-- A buyer picks up to max_holds seats and holds them in one transaction,
-- all or none. The order is the group: one row per order with its buyer,
-- its date and its one deadline, set when it is made. Each seat is still
-- a hold (the partial UNIQUE index of 001 still forbids two live claims
-- on a seat) naming its order. The schema keeps the order whole in what
-- matters: a hold of an order belongs to the order's buyer and date and
-- lapses at the order's deadline, and neither an order's deadline nor a
-- hold's is ever moved later.
CREATE TABLE hold_order (
  id             INTEGER PRIMARY KEY,
  user_id        INTEGER NOT NULL REFERENCES user(id),
  performance_id INTEGER NOT NULL REFERENCES performance(id),
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL CHECK (expires_at > created_at)
) STRICT;
CREATE INDEX hold_order_user ON hold_order(user_id, performance_id);

ALTER TABLE hold ADD COLUMN order_id INTEGER REFERENCES hold_order(id);
CREATE INDEX hold_by_order ON hold(order_id) WHERE order_id IS NOT NULL;

CREATE TRIGGER hold_matches_order BEFORE INSERT ON hold
WHEN NEW.order_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM hold_order o
  WHERE o.id = NEW.order_id AND o.user_id = NEW.user_id
    AND o.performance_id = NEW.performance_id
    AND o.expires_at = NEW.expires_at)
BEGIN
  SELECT RAISE(ABORT, 'a hold of an order has its buyer, date and deadline');
END;

CREATE TRIGGER hold_joins_no_order_later BEFORE UPDATE OF order_id ON hold
WHEN NEW.order_id IS NOT OLD.order_id
BEGIN
  SELECT RAISE(ABORT, 'a hold stays in the order it was made in');
END;

CREATE TRIGGER hold_never_extended BEFORE UPDATE OF expires_at ON hold
WHEN NEW.expires_at > OLD.expires_at
BEGIN
  SELECT RAISE(ABORT, 'a hold is never extended');
END;

CREATE TRIGGER hold_order_never_extended BEFORE UPDATE ON hold_order
WHEN NEW.expires_at IS NOT OLD.expires_at OR NEW.user_id IS NOT OLD.user_id
  OR NEW.performance_id IS NOT OLD.performance_id
BEGIN
  SELECT RAISE(ABORT, 'an order keeps its buyer, date and deadline');
END;

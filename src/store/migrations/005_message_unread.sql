-- Unread counts (the home pages, the lists of conversations) count the
-- messages of one side of a thread after a read mark. With the side and
-- the place in the key, that is a read of this index alone instead of
-- every message of the thread. Nothing reads a thread in sent_at order.
DROP INDEX message_by_thread;
CREATE INDEX message_by_thread_side ON message (thread_id, author_side, seq);

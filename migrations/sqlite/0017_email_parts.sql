-- What an e-mail says of its office: the address, in French and Arabic
-- (each optional), shown with the office's name in the HTML part.
ALTER TABLE sites ADD COLUMN address TEXT;
ALTER TABLE sites ADD COLUMN address_ar TEXT;
-- An e-mail's HTML part, composed with its text when it is queued; erased
-- with the text by the retention sweep.
ALTER TABLE notifications ADD COLUMN html TEXT;

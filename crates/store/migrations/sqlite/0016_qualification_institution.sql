-- Where each social worker qualified, for the workforce census (QualInst).
ALTER TABLE staff ADD COLUMN qualification_institution TEXT;

"""The writeback engine: claim due jobs per rep, batch their Salesforce calls, settle each job from its result."""

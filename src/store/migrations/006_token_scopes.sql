-- API tokens carry SMART v2 scopes (src/auth/scope.h) instead of "read"
-- and "write": the same rights, in the words the FHIR API checks.
UPDATE api_token SET scopes = 'user/*.rs user/*.cud' WHERE scopes = 'read write';
UPDATE api_token SET scopes = 'user/*.rs' WHERE scopes = 'read';
UPDATE api_token SET scopes = 'user/*.cud' WHERE scopes = 'write';

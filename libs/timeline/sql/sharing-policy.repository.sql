-- The statements of this repository, written by libs/timeline/src/timeline-event.repository.sql.spec.ts (`npm run sql` rewrites it).

-- SharingPolicyRepository.ofAgency
SELECT event_kind AS kind, visibility FROM sharing_policies WHERE agency_id = $1 ORDER BY event_kind;

-- SharingPolicyRepository.set
INSERT INTO sharing_policies (agency_id, event_kind, visibility) VALUES ($1, $2, $3)
  ON CONFLICT (agency_id, event_kind) DO UPDATE SET visibility = EXCLUDED.visibility;

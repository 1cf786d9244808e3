-- The statements of this repository, written by libs/realtime/src/socket-notice.repository.sql.spec.ts (`npm run sql` rewrites it).

-- SocketNoticeRepository.notify
SELECT pg_notify($1, notice) FROM unnest($2::text[]) AS notice;

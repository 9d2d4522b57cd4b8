<?php
/*
 * PgSessionHandler: PHP sessions kept by the PostgreSQL extension `session`.
 *
 *   $handler = new PgSessionHandler(new PDO('pgsql:host=...;dbname=app', 'app'));
 *   session_set_save_handler($handler, true);
 *   ini_set('session.use_strict_mode', '1');
 *   session_start();
 *
 * Each callback is one SQL call on the PDO connection; the extension keeps
 * only a SHA-256 digest of each id and decides expiry on the database clock.
 *
 *   create_sid       32 characters of base64url from random_bytes (192 bits,
 *                    an id the store accepts); no row until data is written
 *   validateId       session.exists: with session.use_strict_mode=1 PHP
 *                    refuses an id the store does not have and makes a new one
 *   read             session.load
 *   write            session.save, or save(..., must_create) for a new id,
 *                    and set_expiry(id, lifetime) in the same statement;
 *                    empty data creates no row
 *   updateTimestamp  session.load, which slides the expiry (lazy_write)
 *   destroy          session.delete: no row is left
 *   gc               nothing: the extension purges expired sessions itself
 *
 * PHP's serialized session string is kept as {"php": "<string>"}.
 */
class PgSessionHandler implements SessionHandlerInterface, SessionUpdateTimestampHandlerInterface, SessionIdInterface
{
    private PDO $db;
    private int $lifetime;
    /** An id whose next write must be skipped: its session moved to a new key. */
    private ?string $moved = null;

    /**
     * @param PDO $db        pgsql connection as a role given session.grant_access()
     * @param int|null $lifetime  idle seconds before a session expires, sliding on
     *                       activity (default: session.gc_maxlifetime); 0 makes
     *                       the store treat the session as a browser-close one
     */
    public function __construct(PDO $db, ?int $lifetime = null)
    {
        $this->db = $db;
        $this->db->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
        $this->lifetime = $lifetime ?? (int) ini_get('session.gc_maxlifetime');
    }

    private function value(string $sql, array $params)
    {
        $st = $this->db->prepare($sql);
        $st->execute($params);
        return $st->fetchColumn();
    }

    public function open(string $path, string $name): bool
    {
        return true;
    }

    public function close(): bool
    {
        return true;
    }

    public function create_sid(): string
    {
        return rtrim(strtr(base64_encode(random_bytes(24)), '+/', '-_'), '=');
    }

    public function validateId(string $id): bool
    {
        return (bool) $this->value('SELECT session.exists(?)', [$id]);
    }

    public function read(string $id): string|false
    {
        $data = $this->value("SELECT session.load(?) ->> 'php'", [$id]);
        return is_string($data) ? $data : '';
    }

    public function write(string $id, string $data): bool
    {
        if ($id === $this->moved) {
            $this->moved = null;
            return true;
        }
        $json = json_encode(['php' => $data], JSON_THROW_ON_ERROR | JSON_INVALID_UTF8_SUBSTITUTE);
        if ($data === '') {
            // Nothing stored: a visitor who never stored anything gets no
            // row; a stored session that was emptied is saved empty.
            $this->value('SELECT session.save(?, CAST(? AS jsonb))', [$id, $json]);
            return true;
        }
        $saved = $this->value(
            'SELECT CASE WHEN session.save(:id, CAST(:d AS jsonb)) THEN session.set_expiry(:id, CAST(:s AS integer))'
            . ' WHEN session.save(:id, CAST(:d AS jsonb), NULL, true) THEN session.set_expiry(:id, CAST(:s AS integer))'
            . ' ELSE false END',
            ['id' => $id, 'd' => $json, 's' => $this->lifetime]
        );
        return (bool) $saved;
    }

    public function updateTimestamp(string $id, string $data): bool
    {
        $this->value('SELECT session.load(?) IS NOT NULL', [$id]);
        return true;
    }

    public function destroy(string $id): bool
    {
        $this->value('SELECT session.delete(?)', [$id]);
        return true;
    }

    public function gc(int $max_lifetime): int|false
    {
        return 0;
    }

    /**
     * Logs the active session in: session.login gives it a new id (the old
     * one dies), binds it to $account and records the client's IP address
     * and user agent; $_SESSION is kept.  Call it after session_start().
     */
    public function login(string $account, ?string $ip = null, ?string $userAgent = null): void
    {
        $ip ??= $_SERVER['REMOTE_ADDR'] ?? null;
        if ($ip !== null && filter_var($ip, FILTER_VALIDATE_IP) === false) {
            $ip = null;
        }
        $userAgent ??= $_SERVER['HTTP_USER_AGENT'] ?? null;
        $old = session_id();
        $data = $_SESSION;
        $new = $this->value('SELECT session.login(?, ?, CAST(? AS inet), ?)', [$old, $account, $ip, $userAgent]);
        // The old id is dead: closing must not write it back.
        $this->moved = $old;
        session_write_close();
        $this->moved = null;
        session_id($new);
        session_start();
        $_SESSION = $data;
    }

    /*
     * The account functions are not granted by session.grant_access():
     * GRANT EXECUTE ON FUNCTION session.account_sessions(text, text),
     * session.revoke(text, bigint), session.logout_everywhere(text, text) TO app.
     */

    /** The account's live sessions, most recently active first. */
    public function accountSessions(string $account, ?string $currentId = null): array
    {
        $st = $this->db->prepare(
            'SELECT id, created, last_activity, expire_date, host(ip) AS ip, user_agent, is_current'
            . ' FROM session.account_sessions(?, ?)'
        );
        $st->execute([$account, $currentId]);
        return $st->fetchAll(PDO::FETCH_ASSOC);
    }

    /** Ends one session of the account by its public id; false if none. */
    public function revoke(string $account, int $sessionId): bool
    {
        return (bool) $this->value('SELECT session.revoke(?, ?)', [$account, $sessionId]);
    }

    /** Ends every session of the account but $exceptId's; how many ended. */
    public function logoutEverywhere(string $account, ?string $exceptId = null): int
    {
        return (int) $this->value('SELECT session.logout_everywhere(?, ?)', [$account, $exceptId]);
    }
}

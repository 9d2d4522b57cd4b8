<?php
/*
 * The test application for php -S (router script): sessions through
 * PgSessionHandler with use_strict_mode and lazy_write.  The database comes
 * from PHP_CLIENT_DSN and PHP_CLIENT_USER.  Responses never show an id.
 */
require __DIR__ . '/../PgSessionHandler.php';

ini_set('session.use_strict_mode', '1');
ini_set('session.lazy_write', '1');
ini_set('session.use_only_cookies', '1');
ini_set('session.gc_maxlifetime', '600');

$handler = new PgSessionHandler(new PDO(getenv('PHP_CLIENT_DSN'), getenv('PHP_CLIENT_USER')));
session_set_save_handler($handler, true);
header('Content-Type: application/json');

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
switch ($path) {
    case '/public':
        echo json_encode(['ok' => true]);
        break;
    case '/peek':
        session_start();
        echo json_encode($_SESSION);
        break;
    case '/set':
        session_start();
        $_SESSION[$_GET['k']] = $_GET['v'];
        echo json_encode($_SESSION);
        break;
    case '/login':
        session_start();
        $handler->login($_GET['user']);
        $_SESSION['user'] = $_GET['user'];
        echo json_encode($_SESSION);
        break;
    case '/regenerate':
        session_start();
        session_regenerate_id(true);
        echo json_encode($_SESSION);
        break;
    case '/logout':
        session_start();
        $_SESSION = [];
        session_destroy();
        setcookie(session_name(), '', time() - 3600, '/');
        echo json_encode(['ok' => true]);
        break;
    case '/sessions':
        session_start();
        echo json_encode(array_map(fn ($s) => ['ua' => $s['user_agent'], 'current' => $s['is_current'], 'id' => $s['id']],
            $handler->accountSessions($_SESSION['user'], session_id())));
        break;
    case '/revoke':
        session_start();
        echo json_encode(['revoked' => $handler->revoke($_SESSION['user'], (int) $_GET['id'])]);
        break;
    case '/logout-others':
        session_start();
        echo json_encode(['n' => $handler->logoutEverywhere($_SESSION['user'], session_id())]);
        break;
    default:
        http_response_code(404);
        echo json_encode(['error' => 'not found']);
}

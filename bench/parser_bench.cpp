// classify() + digest() per statement: sysbench oltp_read_write's statements (with literal
// values, as sysbench sends them without --db-ps-mode) and a mixed corpus of ORM/tool traffic.
// Each iteration handles one statement, so the reported time is ns per statement.
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

#include "parser/classifier.hpp"
#include "parser/digest.hpp"

namespace {

using rwproxy::parser::classify;
using rwproxy::parser::digest;

// One oltp_read_write transaction: 10 point selects, 4 range selects, 2 updates, delete, insert.
const std::vector<std::string_view> kSysbench = {
    "BEGIN",
    "SELECT c FROM sbtest1 WHERE id=5021",
    "SELECT c FROM sbtest3 WHERE id=4977",
    "SELECT c FROM sbtest2 WHERE id=5003",
    "SELECT c FROM sbtest7 WHERE id=49874",
    "SELECT c FROM sbtest1 WHERE id=2",
    "SELECT c FROM sbtest4 WHERE id=50016",
    "SELECT c FROM sbtest9 WHERE id=4999",
    "SELECT c FROM sbtest1 WHERE id=5005",
    "SELECT c FROM sbtest5 WHERE id=1",
    "SELECT c FROM sbtest10 WHERE id=50000",
    "SELECT c FROM sbtest1 WHERE id BETWEEN 5019 AND 5118",
    "SELECT SUM(k) FROM sbtest6 WHERE id BETWEEN 4973 AND 5072",
    "SELECT c FROM sbtest8 WHERE id BETWEEN 5010 AND 5109 ORDER BY c",
    "SELECT DISTINCT c FROM sbtest2 WHERE id BETWEEN 5001 AND 5100 ORDER BY c",
    "UPDATE sbtest1 SET k=k+1 WHERE id=5033",
    "UPDATE sbtest4 SET c='68487932199-96439406143-93774651418-41631865787-96406072701-20604855487-"
    "25459966574-28203206787-41238978918-19503783441' WHERE id=5012",
    "DELETE FROM sbtest3 WHERE id=5020",
    "INSERT INTO sbtest3 (id, k, c, pad) VALUES (5020, 4992, '22195207048-70116052123-74140395089-"
    "76317954521-98694025897-53584802117-99431312367-32389011010-58908744722-55604325108', "
    "'67847967377-48000963322-62604785301-91415491898-96926520291')",
    "COMMIT",
};

const std::vector<std::string_view> kMixed = {
    // Hibernate
    "/* load com.example.User */ select user0_.id as id1_0_0_, user0_.email as email2_0_0_, "
    "user0_.name as name3_0_0_ from users user0_ where user0_.id=42",
    "select order0_.id as id1_1_, order0_.total as total2_1_ from orders order0_ where "
    "order0_.user_id=? and order0_.status in (? , ? , ?) for update",
    // Django
    "SELECT `auth_user`.`id`, `auth_user`.`password`, `auth_user`.`last_login`, `auth_user`.`username` "
    "FROM `auth_user` WHERE `auth_user`.`username` = 'alice' LIMIT 21",
    "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
    // Rails
    "SELECT `posts`.* FROM `posts` WHERE `posts`.`author_id` IN (1, 2, 3, 4, 5) ORDER BY "
    "`posts`.`created_at` DESC LIMIT 20 /*application:Blog,controller:posts,action:index*/",
    "INSERT INTO `comments` (`post_id`, `body`, `created_at`, `updated_at`) VALUES (7, 'Nice!', "
    "'2024-01-02 03:04:05', '2024-01-02 03:04:05')",
    // Laravel / PDO
    "select * from `users` where `email` = 'bob@example.com' and `users`.`deleted_at` is null limit 1",
    "update `sessions` set `payload` = 'YTo0OntzOjY6Il90b2tlbiI7', `last_activity` = 1700000000 "
    "where `id` = 'abc123'",
    // mysqldump
    "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */",
    "/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */",
    "LOCK TABLES `t1` WRITE",
    // connectors / pools
    "SELECT @@session.transaction_read_only",
    "SET autocommit=1",
    "SELECT 1",
    "SHOW WARNINGS",
    // application
    "WITH recent AS (SELECT id, user_id FROM orders WHERE created_at > NOW() - INTERVAL 1 DAY) "
    "SELECT u.name, COUNT(*) FROM users u JOIN recent r ON r.user_id = u.id GROUP BY u.name",
    "SELECT LAST_INSERT_ID()",
    "DELETE FROM carts WHERE updated_at < '2024-01-01' AND user_id NOT IN (SELECT id FROM vip)",
    "INSERT INTO stats (day, hits) VALUES ('2024-01-01', 1) ON DUPLICATE KEY UPDATE hits = hits + 1",
    "SELECT * FROM accounts WHERE id = 7 LOCK IN SHARE MODE",
};

void run(benchmark::State& state, const std::vector<std::string_view>& corpus) {
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string_view sql = corpus[i];
    i = i + 1 == corpus.size() ? 0 : i + 1;
    auto info = classify(sql);
    auto d = digest(sql);
    benchmark::DoNotOptimize(info);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SysbenchOltpStatement(benchmark::State& state) { run(state, kSysbench); }
void BM_MixedCorpusStatement(benchmark::State& state) { run(state, kMixed); }

void BM_PointSelect(benchmark::State& state) {
  run(state, {"SELECT c FROM sbtest1 WHERE id=5021"});
}

void BM_PointSelectClassifyOnly(benchmark::State& state) {
  for (auto _ : state) {
    auto info = classify("SELECT c FROM sbtest1 WHERE id=5021");
    benchmark::DoNotOptimize(info);
  }
}

void BM_PointSelectDigestOnly(benchmark::State& state) {
  for (auto _ : state) {
    auto d = digest("SELECT c FROM sbtest1 WHERE id=5021");
    benchmark::DoNotOptimize(d);
  }
}

}  // namespace

BENCHMARK(BM_SysbenchOltpStatement);
BENCHMARK(BM_MixedCorpusStatement);
BENCHMARK(BM_PointSelect);
BENCHMARK(BM_PointSelectClassifyOnly);
BENCHMARK(BM_PointSelectDigestOnly);

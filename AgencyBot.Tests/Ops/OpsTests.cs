using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgencyBot.Tests.Hosting;
using Microsoft.Data.Sqlite;

namespace AgencyBot.Tests.Ops;

public sealed class OpsTests : AgencyTest
{
    private Task<JsonElement> OpsAsync() => World.Api.GetFromJsonAsync<JsonElement>("/api/ops");

    [Test]
    public async Task DeadLetter_IsListedWithItsError_AndCanBeRetriedOnceFixed()
    {
        // An update whose stored body cannot be read at all is dead-lettered at once: trying again cannot help.
        await World.Db.ExecuteAsync("""
            INSERT INTO inbox (update_id, chat_id, kind, payload, received_at) VALUES (5, 601, 'Message', '{ broken', 0)
            """);
        World.Host.Get<AgencyBot.Core.Data.InboxSignal>().Notify();
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<string>("SELECT state FROM inbox WHERE update_id = 5"), s => s == "dead",
            AgencyWorld.Timeout, "dead-lettered");
        var ops = await OpsAsync();
        var dead = ops.GetProperty("inbox").GetProperty("deadLetters")[0];

        await World.Db.ExecuteAsync("""
            UPDATE inbox SET payload = '{"update_id":5,"message":{"message_id":1,"date":1,"chat":{"id":601,"type":"private","first_name":"A"},"from":{"id":601,"is_bot":false,"first_name":"A"},"text":"hi"}}'
            WHERE update_id = 5
            """);
        var retried = await World.Api.PostAsync("/api/ops/dead-letters/5/retry", null);
        var unknown = await World.Api.PostAsync("/api/ops/dead-letters/999/retry", null);

        await World.WaitForAsync(s => s.Any(m => m.ChatId == 601));
        Assert.Multiple(() =>
        {
            Assert.That(dead.GetProperty("updateId").GetInt64(), Is.EqualTo(5));
            Assert.That(dead.GetProperty("attempts").GetInt64(), Is.EqualTo(1));
            Assert.That(dead.GetProperty("error").GetString(), Does.Contain("UnreadableUpdateException"));
            Assert.That(retried.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task FailedSendsAnd429s_AreCounted()
    {
        World.Telegram.Fail("sendMessage", 400, "Bad Request: chat not found", chatId: 701);
        World.Telegram.TooManyRequests("sendMessage", retryAfter: 1, chatId: 702);
        World.Telegram.ClientSends(701, "hello");
        World.Telegram.ClientSends(702, "hello");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == 702));
        await World.SettledAsync();

        var ops = await OpsAsync();

        Assert.Multiple(() =>
        {
            Assert.That(ops.GetProperty("outbox").GetProperty("failedSends")[0].GetProperty("error").GetString(), Does.Contain("chat not found"));
            Assert.That(ops.GetProperty("sends").GetProperty("tooManyRequestsLastHour").GetInt32(), Is.EqualTo(1));
            Assert.That(ops.GetProperty("intake").GetProperty("lastSuccessAt").ValueKind, Is.EqualTo(JsonValueKind.String));
        });
    }

    [Test]
    public async Task OldestWaitingConversation_IsShown()
    {
        var (_, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(601, code);
        World.Telegram.ClientSends(601, "anyone?");
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("anyone?") == true));

        var ops = await OpsAsync();

        Assert.That(ops.GetProperty("oldestWaitingConversation").GetProperty("chatId").GetInt64(), Is.EqualTo(601));
    }

    [Test]
    public async Task Health_IsDegraded_WhenDueMessagesStopGoingOut()
    {
        World.Telegram.Hang("sendMessage");
        await World.Db.ExecuteAsync("""
            INSERT INTO outbox (chat_id, method, payload, not_before, created_at) VALUES (801, 'sendMessage', '{"chat_id":801,"text":"x"}', @due, @due)
            """, new { due = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds() });
        using var anonymous = World.Host.CreateClient();

        var health = await anonymous.GetStringAsync("/health");

        Assert.That(health, Is.EqualTo("Degraded"));
    }

    [Test]
    public async Task Backup_IsAConsistentCopy_ThatPassesIntegrityCheck_AndOpens()
    {
        var (projectId, _) = await World.ProjectAsync();

        var response = await World.Api.PostAsync("/api/ops/backup", null);

        if (World.Db.Provider == AgencyBot.Core.Data.DatabaseProvider.Postgres)
        {
            // PostgreSQL has its own tools; the endpoint says so rather than pretending.
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString(), Does.Contain("pg_dump"));
            return;
        }
        var backup = await response.Content.ReadFromJsonAsync<JsonElement>();
        var path = backup.GetProperty("path").GetString()!;
        await using var copy = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await copy.OpenAsync();
        await using var command = copy.CreateCommand();
        command.CommandText = "SELECT name FROM projects WHERE id = $id";
        command.Parameters.AddWithValue("$id", projectId);
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(backup.GetProperty("integrityCheck").GetString(), Is.EqualTo("ok"));
            Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo("Website launch"));
        });
    }
}

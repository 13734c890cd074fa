using System.Collections.Concurrent;
using System.Data;
using System.Text.Json;
using AgencyBot.Core.Data;
using AgencyBot.Core.Inbox;
using Dapper;
using AgencyBot.Tests.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Telegram.Bot;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace AgencyBot.Tests.Inbox;

public sealed class InboxProcessorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>Records what it handled; throws for the update ids it is told are poison.</summary>
    private sealed class RecordingHandler(params int[] poison) : IInboxHandler
    {
        public ConcurrentQueue<(long Chat, int UpdateId)> Handled { get; } = new();
        public ConcurrentDictionary<int, int> Tries { get; } = new();

        public async Task HandleAsync(Update update, IDbConnection connection, IDbTransaction transaction, CancellationToken ct)
        {
            Tries.AddOrUpdate(update.Id, 1, (_, n) => n + 1);
            if (poison.Contains(update.Id)) throw new InvalidOperationException($"poison {update.Id}");
            await Task.Yield();
            Handled.Enqueue((update.Message!.Chat.Id, update.Id));
        }
    }

    /// <summary>Writes a row for each update it handles, in the handler's transaction; throws for the poison one.</summary>
    private sealed class CommittingHandler(int poison) : IInboxHandler
    {
        public const string Table = "CREATE TABLE handled_by_test (update_id BIGINT NOT NULL)";

        public ConcurrentDictionary<int, int> Tries { get; } = new();

        public async Task HandleAsync(Update update, IDbConnection connection, IDbTransaction transaction, CancellationToken ct)
        {
            Tries.AddOrUpdate(update.Id, 1, (_, n) => n + 1);
            if (update.Id == poison) throw new InvalidOperationException($"poison {update.Id}");
            await connection.ExecuteAsync("INSERT INTO handled_by_test (update_id) VALUES (@Id)", new { update.Id }, transaction);
        }
    }

    /// <summary>A client's text message as Telegram sends it.</summary>
    private static RawUpdate Message(int updateId, long chatId) => RawUpdate.Parse(JsonSerializer.Serialize(new Update
    {
        Id = updateId,
        Message = new Message
        {
            Id = updateId, Date = DateTime.UtcNow, Text = $"m{updateId}",
            Chat = new Chat { Id = chatId, Type = ChatType.Private },
            From = new User { Id = chatId, FirstName = "C" },
        },
    }, JsonBotAPI.Options))!;

    private static InboxProcessor Processor(TempDatabase db, IInboxHandler handler) =>
        new(new InboxStore(db.Database, TimeProvider.System), db.Database, handler, new InboxSignal(), new OutboxSignal(),
            TimeProvider.System, NullLogger<InboxProcessor>.Instance);

    [Test]
    public async Task Process_HandlesEachChatInUpdateOrder_AndEveryUpdateOnce()
    {
        await using var db = await TempDatabase.CreateMigratedAsync();
        var store = new InboxStore(db.Database, TimeProvider.System);
        var updates = Enumerable.Range(1, 300).Select(i => Message(i, chatId: 1 + i % 7)).ToList();
        await store.AddAsync(updates);
        await store.AddAsync(updates.Take(50).ToList()); // a redelivery changes nothing
        var handler = new RecordingHandler();
        var processor = Processor(db, handler);

        await processor.StartAsync(CancellationToken.None);
        await Eventually.HoldsAsync(() => db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE state = 'handled'"), n => n == 300, Timeout, "all handled");
        await processor.StopAsync(CancellationToken.None);

        var handled = handler.Handled.ToList();
        Assert.Multiple(() =>
        {
            Assert.That(handled.Select(h => h.UpdateId), Is.Unique);
            Assert.That(handled, Has.Count.EqualTo(300));
            foreach (var chat in handled.GroupBy(h => h.Chat))
                Assert.That(chat.Select(h => h.UpdateId), Is.Ordered, $"chat {chat.Key}");
        });
    }

    [Test]
    public async Task PoisonUpdate_IsDeadLetteredAfterThreeTries_AndTheChatsLaterUpdatesAreHandled()
    {
        await using var db = await TempDatabase.CreateMigratedAsync();
        var store = new InboxStore(db.Database, TimeProvider.System);
        await store.AddAsync([Message(1, 10), Message(2, 10), Message(3, 10), Message(4, 20)]);
        await db.ExecuteAsync(CommittingHandler.Table);
        var handler = new CommittingHandler(poison: 2);
        var processor = Processor(db, handler);

        await processor.StartAsync(CancellationToken.None);
        await Eventually.HoldsAsync(() => db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE state = 'pending'"), n => n == 0, Timeout, "inbox drained");
        await processor.StopAsync(CancellationToken.None);

        var dead = (await db.QueryAsync<(long UpdateId, long Attempts, string LastError)>(
            "SELECT update_id, attempts, last_error FROM inbox WHERE state = 'dead'")).Single();
        Assert.Multiple(async () =>
        {
            Assert.That(dead.UpdateId, Is.EqualTo(2));
            Assert.That(dead.Attempts, Is.EqualTo(InboxStore.MaxAttempts));
            Assert.That(dead.LastError, Does.Contain("poison 2"));
            Assert.That(handler.Tries[2], Is.EqualTo(3));
            // What the others did is committed once each (update 1 is handled again when its chunk goes again).
            Assert.That(await db.QueryAsync<long>("SELECT update_id FROM handled_by_test ORDER BY update_id"), Is.EqualTo(new[] { 1, 3, 4 }));
        });
    }

    [Test]
    public async Task FailedHandling_RollsBackWhatTheHandlerWrote()
    {
        await using var db = await TempDatabase.CreateMigratedAsync();
        await new InboxStore(db.Database, TimeProvider.System).AddAsync([Message(1, 10)]);
        var processor = Processor(db, new WritesThenThrows());

        await processor.StartAsync(CancellationToken.None);
        await Eventually.HoldsAsync(() => db.ScalarAsync<string>("SELECT state FROM inbox"), s => s == "dead", Timeout, "dead-lettered");
        await processor.StopAsync(CancellationToken.None);

        Assert.That(await db.ScalarAsync<long>("SELECT COUNT(*) FROM clients"), Is.Zero);
    }

    [Test]
    public async Task FailedUpdate_WaitsBeforeItsNextTry_AndItsChatWaitsWithIt()
    {
        await using var db = await TempDatabase.CreateMigratedAsync();
        await new InboxStore(db.Database, TimeProvider.System).AddAsync([Message(1, 10), Message(2, 10)]);
        var handler = new TimedHandler(failFirstTries: 2);
        var processor = Processor(db, handler);

        await processor.StartAsync(CancellationToken.None);
        await Eventually.HoldsAsync(() => db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE state = 'handled'"), n => n == 2, Timeout, "both handled");
        await processor.StopAsync(CancellationToken.None);

        var tries = handler.Tries.Where(x => x.UpdateId == 1).Select(x => x.At).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(tries, Has.Count.EqualTo(3));
            Assert.That(tries[1] - tries[0], Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(450)));
            Assert.That(tries[2] - tries[1], Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950)));
            Assert.That(handler.Tries.First(x => x.UpdateId == 2).At, Is.GreaterThan(tries[2]), "the chat's next update waits for it");
        });
    }

    [Test]
    public async Task UpdateThatBreaksTheTransaction_IsDeadLettered_AndTheOthersAreHandled()
    {
        await using var db = await TempDatabase.CreateMigratedAsync();
        await new InboxStore(db.Database, TimeProvider.System).AddAsync([Message(1, 10), Message(2, 20), Message(3, 10)]);
        var processor = Processor(db, new BreaksTransaction(breaking: 1));

        await processor.StartAsync(CancellationToken.None);
        await Eventually.HoldsAsync(() => db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE state = 'pending'"), n => n == 0, TimeSpan.FromSeconds(20), "drained");
        await processor.StopAsync(CancellationToken.None);

        var states = await db.QueryAsync<(long UpdateId, string State)>("SELECT update_id, state FROM inbox ORDER BY update_id");
        Assert.That(states, Is.EqualTo(new[] { (1L, "dead"), (2L, "handled"), (3L, "handled") }));
    }

    private sealed class TimedHandler(int failFirstTries) : IInboxHandler
    {
        public ConcurrentQueue<(int UpdateId, DateTime At)> Tries { get; } = new();

        public Task HandleAsync(Update update, IDbConnection connection, IDbTransaction transaction, CancellationToken ct)
        {
            Tries.Enqueue((update.Id, DateTime.UtcNow));
            if (update.Id == 1 && Tries.Count(x => x.UpdateId == 1) <= failFirstTries) throw new InvalidOperationException("not yet");
            return Task.CompletedTask;
        }
    }

    /// <summary>Ends the surrounding transaction behind the processor's back, as a broken connection would.</summary>
    private sealed class BreaksTransaction(int breaking) : IInboxHandler
    {
        public Task HandleAsync(Update update, IDbConnection connection, IDbTransaction transaction, CancellationToken ct)
        {
            if (update.Id != breaking) return Task.CompletedTask;
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "ROLLBACK";
            command.ExecuteNonQuery();
            throw new InvalidOperationException("transaction gone");
        }
    }

    private sealed class WritesThenThrows : IInboxHandler
    {
        public async Task HandleAsync(Update update, IDbConnection connection, IDbTransaction transaction, CancellationToken ct)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO clients (name, created_at) VALUES ('half done', 0)";
            command.ExecuteNonQuery();
            await Task.Yield();
            throw new InvalidOperationException("fails after writing");
        }
    }
}

using AgencyBot.Core.Data;

namespace AgencyBot.Core.Outbox;

/// <summary>What follows from the outcome of a send, decided by those who know what the rows carry. Each runs in the
/// transaction that records the outcome, so the outcome and what follows commit together.</summary>
public interface IDeliveryListener
{
    /// <summary>What <see cref="DeliveredAsync"/> or <see cref="RefusedAsync"/> for these rows may read and write
    /// (PostgreSQL's locks).</summary>
    Task<WriteScope> ScopeOfOutcomeAsync(IDbConnection connection, IDbTransaction transaction, IReadOnlyList<OutboxItem> rows);

    /// <summary>Telegram accepted these rows (at <paramref name="at"/>).</summary>
    Task DeliveredAsync(IDbConnection connection, IDbTransaction transaction, IReadOnlyList<OutboxItem> rows, DateTimeOffset at);

    /// <summary>Telegram refused the row for good, for <paramref name="reason"/>.</summary>
    Task RefusedAsync(IDbConnection connection, IDbTransaction transaction, OutboxItem row, string reason);

    /// <summary>The chat blocked the bot (told once per chat).</summary>
    Task ChatBlockedAsync(IDbConnection connection, IDbTransaction transaction, long chatId);

    /// <summary>Whether a refusal of a request sent at <paramref name="sentAt"/> means the bot lost a chat it must keep
    /// posting in (the staff chat): then it is recorded and told, and the chat's rows wait instead of failing. A refusal
    /// of a request sent before the bot was let back in is stale.</summary>
    Task<ChatLoss> ChatLostAsync(IDbConnection connection, IDbTransaction transaction, long chatId, string reason, DateTimeOffset sentAt);
}

public enum ChatLoss
{
    /// <summary>Not a chat the bot must keep (a client's): the refusal stands.</summary>
    NotLost,

    /// <summary>The bot cannot post there: the chat's queue waits.</summary>
    Lost,

    /// <summary>The bot was let back in after the refused request was made: try again now.</summary>
    Stale,
}

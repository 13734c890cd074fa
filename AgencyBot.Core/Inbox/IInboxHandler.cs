namespace AgencyBot.Core.Inbox;

/// <summary>Applies one update. Runs inside the transaction that marks the update handled, so
/// whatever it writes (state, outbox rows) commits together with that mark, or not at all.</summary>
public interface IInboxHandler
{
    Task HandleAsync(Update update, IDbConnection connection, IDbTransaction transaction, CancellationToken ct);
}

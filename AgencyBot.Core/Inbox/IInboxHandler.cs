using AgencyBot.Core.Data;

namespace AgencyBot.Core.Inbox;

/// <summary>Applies one update. Runs inside the transaction that marks the update handled, so
/// whatever it writes (state, outbox rows) commits together with that mark, or not at all.</summary>
public interface IInboxHandler
{
    Task HandleAsync(Update update, IDbConnection connection, IDbTransaction transaction, CancellationToken ct);

    /// <summary>What handling these updates may read and then write (see <see cref="WriteScope"/>); read before any
    /// lock is taken, and again once they are held. Unless a handler knows better, everything.</summary>
    Task<WriteScope> ScopeAsync(IReadOnlyList<Update> updates, IDbConnection connection, IDbTransaction transaction) =>
        Task.FromResult(WriteScope.Everything);
}

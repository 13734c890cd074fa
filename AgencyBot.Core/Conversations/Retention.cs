using AgencyBot.Core.Clients;
using AgencyBot.Core.Data;
using AgencyBot.Core.Inbox;
using AgencyBot.Core.StaffGroup;

namespace AgencyBot.Core.Conversations;

/// <summary>
/// What is kept, and for how long: handled updates (the raw JSON) for <see cref="ConversationOptions.UpdateRetention"/>,
/// a stranger's chat and updates for <see cref="ConversationOptions.StrangerRetention"/> after it fell silent. The
/// conversation record, dead letters and anything a held message still needs are kept.
/// </summary>
public sealed class Retention(Database database, StaffChatStore staffChats, IOptions<ConversationOptions> options, TimeProvider clock, ILogger<Retention> logger)
{
    public async Task<(int Updates, int Strangers)> PruneAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var (updates, strangers) = await database.WriteAsync(async (c, t) =>
        {
            var staff = await staffChats.GetAsync(c, t);
            var updates = await InboxStore.PruneAsync(c, t, now - options.Value.UpdateRetention, now - options.Value.StrangerRetention, staff?.ChatId ?? 0);
            var strangers = await ClientChatStore.ForgetStrangersAsync(c, t, now - options.Value.StrangerRetention);
            return (updates, strangers);
        }, ct);
        if (updates + strangers > 0) logger.LogInformation("Retention: {Updates} handled updates and {Strangers} strangers' chats deleted", updates, strangers);
        return (updates, strangers);
    }
}

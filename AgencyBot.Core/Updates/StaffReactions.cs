using AgencyBot.Core.Agency;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Turns;
using Telegram.Bot.Types.Enums;

namespace AgencyBot.Core.Updates;

/// <summary>
/// A staff member's reaction on a relayed client message in the staff chat (see <see cref="Reactions"/>): 👍 is "on
/// it" (as /ack: no reminder, the client still waits), 👌 is Close (no answer needed). Only a reaction just added
/// counts, only an active staff member's, and it is recorded on the conversation; it never answers anyone.
/// </summary>
public sealed class StaffReactions(OutboxStore outbox, BusinessCalendar calendar, IOptions<SlaOptions> sla, ILogger<StaffReactions> logger)
{
    public async Task HandleAsync(Turn turn, MessageReactionUpdated reaction)
    {
        var (c, t) = turn;
        if (turn.Member is not { } member)
        {
            logger.LogInformation("Reaction in the staff chat by {UserId}, who is not active staff; ignored", reaction.User?.Id);
            return;
        }
        var added = Emoji(reaction.NewReaction).Except(Emoji(reaction.OldReaction)).ToList();
        if (!added.Contains(Reactions.OnIt) && !added.Contains(Reactions.Close)) return;
        var carried = await ConversationStore.CarriedByPostAsync(c, t, reaction.Chat.Id, reaction.MessageId);
        // A reaction on a post so new that its id is not recorded yet: the inbox tries it again shortly (as for replies).
        if (carried.Count == 0 && turn.Now - reaction.Date < StaffReplies.RecordingGrace
            && await OutboxStore.HasUnrecordedPostsAsync(c, t, reaction.Chat.Id))
            throw new PostNotRecordedYetException(reaction.MessageId);
        foreach (var conversationId in carried.Where(m => m.Direction == "client").Select(m => m.ConversationId).Distinct())
        {
            var conversation = await ConversationStore.GetAsync(c, t, conversationId);
            var did = added.Contains(Reactions.Close)
                ? await ConversationStore.CloseUnansweredAsync(c, t, conversationId, member.Id, turn.Now, calendar, sla.Value.FirstResponse) ? "closed it: no answer needed" : null
                : await ConversationStore.AckAsync(c, t, conversationId, member.Id, turn.Now) ? "is on it" : null;
            await ConversationStore.AddMessageAsync(c, t, new NewMessage(conversationId, Direction.Note, member.TelegramUserId, member.Name, "reaction",
                $"reacted {string.Join("", added)}", reaction.Chat.Id, 0, null, turn.Now));
            if (did is null) continue;
            logger.LogInformation("Staff {StaffId} reacted on conversation {ConversationId}: {Did}", member.Id, conversationId, did);
            if (added.Contains(Reactions.OnIt) && !added.Contains(Reactions.Close))
                await Reactions.OnLastClientMessageAsync(c, t, outbox, conversationId, Reactions.Taken);
            await turn.NoticeAsync(conversation.ProjectId, $"{(added.Contains(Reactions.Close) ? "✔️" : "👍")} {member.Name} {did}.", reaction.MessageId);
        }
    }

    private static IEnumerable<string> Emoji(ReactionType[]? reactions) =>
        (reactions ?? []).OfType<ReactionTypeEmoji>().Select(r => r.Emoji);
}

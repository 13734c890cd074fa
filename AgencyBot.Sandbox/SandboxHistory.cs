using System.Data;
using AgencyBot.Core.Agency;
using AgencyBot.Core.Budgets;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Data;
using AgencyBot.Core.Measurement;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Tasks;
using AgencyBot.Core.TimeTracking;
using Microsoft.Extensions.Options;

namespace AgencyBot.Sandbox;

/// <summary>
/// Five weeks of an agency's past, so the first digest, its chart, /budget and /report have something to say: three
/// clients with budgets, conversations on every working day with first answers from two minutes to an hour, logged
/// production time, the communication time the bot measures from those conversations, and an overdue task. One
/// retainer (Initech's) runs over the 10 % target: lots of talk, little production.
/// </summary>
internal sealed class SandboxHistory(Database database, ClientStore clients, ProjectStore projects, MeasuredDays measured, BusinessCalendar calendar,
    IOptions<SlaOptions> sla, IOptions<AgencyOptions> agency, TimeProvider clock)
{
    private const int Weeks = 5;

    private sealed record Past(string Client, string Project, long ChatId, string Person, NewBudget Budget, int WorkMinutesPerDay, int MessagesPerDay);

    private static readonly Past[] Projects =
    [
        new("Globex", "Online shop", 7101, "Bruno", new NewBudget(BudgetKind.Monthly, 60 * 60, 4800, "EUR", ShownToClient: true), 150, 3),
        new("Initech", "SEO retainer", 7102, "Chloé", new NewBudget(BudgetKind.Monthly, 12 * 60, 900, "EUR"), 15, 6),
    ];

    private static readonly string[] Questions =
    [
        "Hi! Could you send me the latest version of the mock-ups?",
        "We noticed a typo on the pricing page, can you fix it today?",
        "Is the meeting on Thursday still on?",
        "The client survey results are in, I'll forward them.",
        "Quick question: when does the new landing page go live?",
        "Can we add a newsletter sign-up to the footer?",
    ];

    private static readonly string[] Answers =
    [
        "Of course, here they are. Tell us what you think!",
        "Fixed, thanks for spotting it.",
        "Yes, Thursday 10:00 still works for us.",
        "Great, thank you, we'll go through them this afternoon.",
        "It goes live on Monday morning.",
        "Good idea, we'll add it to this week's work.",
    ];

    /// <summary>Writes the past; <paramref name="acmeProjectId"/> (the live demo project) gets history too.</summary>
    public async Task WriteAsync(long acmeProjectId, long assistantId, long designerId, CancellationToken ct)
    {
        var random = new Random(2026);
        var today = agency.Value.DateOf(clock.GetUtcNow());
        var ours = new List<(long ProjectId, Past Past)>();
        foreach (var past in Projects)
        {
            var client = await clients.AddAsync(past.Client, ct);
            var project = await projects.AddAsync(client.Id, past.Project, ct: ct) ?? throw new InvalidOperationException("The sandbox project was refused");
            ours.Add((project.Id, past));
        }
        await database.WriteAsync(async (c, t) =>
        {
            var now = clock.GetUtcNow();
            foreach (var (projectId, past) in ours)
            {
                await BudgetStore.SetAsync(c, t, projectId, past.Budget, null, now.AddDays(-7 * Weeks));
                await ClientChatStore.SeenAsync(c, t, new ClientChat(past.ChatId, "private", past.Person, "en"), now.AddDays(-7 * Weeks));
                await ChatBindingStore.BindChatAsync(c, t, past.ChatId, projectId, now.AddDays(-7 * Weeks));
            }
            // Acme's live project had a domain renewal due last week that nobody closed.
            await TaskStore.CreateAsync(c, t, new NewTask(acmeProjectId, "Renew the domain name", Due: today.AddDays(-3), ResponsibleId: assistantId), now);
            var all = ours.Select(o => (o.ProjectId, o.Past)).Append((acmeProjectId, new Past("Acme", "Website launch", SandboxPeople.Client.TelegramId,
                SandboxPeople.Client.FirstName, new NewBudget(BudgetKind.Total, 120 * 60), 300, 2)));
            for (var day = today.AddDays(-7 * Weeks); day < today; day = day.AddDays(1))
            {
                if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) continue;
                foreach (var (projectId, past) in all)
                    await DayAsync(c, t, random, projectId, past, day, assistantId, designerId, now);
            }
        }, ct);
        // The days were measured (empty) when the service started; now they have a past to measure.
        for (var day = today.AddDays(-7 * Weeks); day < today; day = day.AddDays(1)) await measured.RemeasureAsync(day, ct);
    }

    private async Task DayAsync(IDbConnection c, IDbTransaction t, Random random, long projectId, Past past, DateOnly day, long assistantId,
        long designerId, DateTimeOffset now)
    {
        var conversation = await ConversationStore.GetOrCreateAsync(c, t, projectId, past.ChatId, now);
        for (var i = 0; i < past.MessagesPerDay; i++)
        {
            var asked = calendar.Instant(day, new TimeOnly(9 + random.Next(8), random.Next(60)));
            // Mostly within the promise, a few not: what the response-time figures and breaches are made of.
            var after = TimeSpan.FromMinutes(random.NextDouble() < 0.85 ? 1 + random.Next(12) : 16 + random.Next(50));
            var question = Questions[random.Next(Questions.Length)];
            await ConversationStore.AddMessageAsync(c, t, new NewMessage(conversation.Id, Direction.Client, past.ChatId, past.Person, "text", question,
                past.ChatId, 0, null, asked));
            await ConversationStore.OpenWaitingAsync(c, t, conversation.Id, asked);
            await ConversationStore.ClientWroteAsync(c, t, conversation.Id, asked);
            await ConversationStore.AddMessageAsync(c, t, new NewMessage(conversation.Id, Direction.Staff, SandboxPeople.Assistant.TelegramId,
                SandboxPeople.Assistant.FullName, "text", Answers[random.Next(Answers.Length)], SandboxPeople.StaffChat, 0, null, asked + after));
            await ConversationStore.CloseWaitingAsync(c, t, conversation.Id, assistantId, asked + after, calendar, sla.Value.FirstResponse);
        }
        var work = past.WorkMinutesPerDay + random.Next(past.WorkMinutesPerDay / 2 + 1);
        await TimeEntryStore.AddAsync(c, t, new NewTimeEntry(projectId, designerId, Math.Min(work, 600), "work", null, day), now);
        if (day.DayOfWeek == DayOfWeek.Friday)
            await TimeEntryStore.AddAsync(c, t, new NewTimeEntry(projectId, assistantId, 20 + random.Next(25), "meeting", "weekly call", day), now);
    }
}

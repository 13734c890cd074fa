using System.Net.Http.Json;
using AgencyBot.Core.Deliverables;
using AgencyBot.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AgencyBot.Tests.Deliverables;

/// <summary>Invoices and client reports through the bot: delivered to every client chat of the project, recorded on
/// the project, and counted as account-management time; a report is a draft until staff send it.</summary>
public sealed class InvoiceAndReportTests : AgencyTest
{
    private const long Anna = 601;
    private const long AcmeGroup = -1007001;
    private long _projectId;
    private int _topic;

    [SetUp]
    public async Task ArrangeAsync()
    {
        _projectId = await World.ProjectWithClientAsync(Anna);
        await World.LinkGroupAsync(AcmeGroup, _projectId, userId: 70);
        _topic = await World.TopicAsync();
        await World.SettledAsync();
    }

    private int MarieWrites(string text, int? replyTo = null) =>
        World.Telegram.ClientSendsReturningId(AgencyWorld.StaffChat, text, userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic, replyToMessageId: replyTo);

    private Task<IReadOnlyList<SentMessage>> NoticeAsync(string words) =>
        World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains(words) == true));

    private Task<long> CountAsync(string sql) => World.Db.ScalarAsync<long>(sql, new { project = _projectId });

    [Test]
    public async Task AnInvoiceCaptionedInvoice_GoesToEveryClientChat_IsRecorded_AndCountsAnHourOfInvoiceTime()
    {
        World.Telegram.ClientSendsMedia(AgencyWorld.StaffChat, "document", caption: "/invoice March", userId: AgencyWorld.Assistant, firstName: "Marie",
            threadId: _topic);
        await NoticeAsync("Invoice sent to 2 client chats");
        await World.SettledAsync();

        var copies = World.Telegram.Requests.Where(r => r.Method == "copyMessage" && r.ChatId is Anna or AcmeGroup).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(copies.Select(r => r.ChatId).Order(), Is.EqualTo(new long?[] { AcmeGroup, Anna }));
            Assert.That(copies.Select(r => (string?)r.Body["caption"]), Is.All.StartsWith("🧾 March"));
            Assert.That(await CountAsync("SELECT COUNT(*) FROM project_documents WHERE project_id = @project AND kind = 'invoice' AND chats = 2"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT COALESCE(SUM(minutes), 0) FROM time_entries WHERE project_id = @project AND source = 'invoice' AND category = 'invoice'"),
                Is.EqualTo(60));
        });
    }

    [Test]
    public async Task InvoiceAsAReplyToANote_SendsThatFile_AndWithoutAFile_ExplainsAndRecordsNothing()
    {
        var draft = World.Telegram.ClientSendsMedia(AgencyWorld.StaffChat, "document", caption: "// invoice draft", userId: AgencyWorld.Assistant,
            firstName: "Marie", threadId: _topic);
        await World.SettledAsync();
        MarieWrites("/invoice");
        await NoticeAsync("goes with the invoice");
        MarieWrites("/invoice", replyTo: draft);
        await NoticeAsync("Invoice sent to 2 client chats");
        await World.SettledAsync();

        var copies = World.Telegram.Requests.Where(r => r.Method == "copyMessage" && r.ChatId == Anna).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(copies.Select(r => ((int?)r.Body["message_id"], (string?)r.Body["caption"])),
                Is.EqualTo(new[] { ((int?)draft, (string?)"🧾 Invoice from Sreda Digital\n— Marie") }), "the note's file, with the invoice's words, signed");
            Assert.That(await CountAsync("SELECT COUNT(*) FROM project_documents WHERE project_id = @project"), Is.EqualTo(1), "the one sent");
            Assert.That(await CountAsync("SELECT COALESCE(SUM(minutes), 0) FROM time_entries WHERE project_id = @project AND source = 'invoice'"), Is.EqualTo(1),
                "posted and sent within the minute: the time between the two, at least a minute");
        });
    }

    private async Task ArrangeWorkAsync()
    {
        async Task<long> TaskAsync(object body) => (await (await World.Api.PostAsJsonAsync($"/api/projects/{_projectId}/tasks", body)).ReadAsAsync<TaskAnswer>()).Number;
        var design = await TaskAsync(new { title = "Design" });
        var homepage = await TaskAsync(new { title = "Homepage" });
        await TaskAsync(new { title = "SEO audit", due = "2027-01-15" });
        var margins = await TaskAsync(new { title = "Internal margin review", staffOnly = true });
        foreach (var (number, status) in new[] { (design, "done"), (homepage, "in_progress"), (margins, "done") })
            (await World.Api.PatchAsJsonAsync($"/api/projects/{_projectId}/tasks/{number}", new { status })).EnsureSuccessStatusCode();
        (await World.Api.PutAsJsonAsync($"/api/projects/{_projectId}/budget", new { kind = "monthly", hours = 40 })).EnsureSuccessStatusCode();
        await World.SettledAsync();
    }

    private async Task<SentMessage> DraftAsync()
    {
        var before = World.Telegram.SentTo(AgencyWorld.StaffChat).Count(m => m.Text?.Contains("Client report #") == true);
        MarieWrites("/report");
        return (await World.WaitForAsync(s => s.Count(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("Client report #") == true) > before))
            .Last(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("Client report #") == true);
    }

    private static string Data(SentMessage message, string action) =>
        message.Request.Body["reply_markup"]!["inline_keyboard"]!.AsArray().SelectMany(r => r!.AsArray())
            .Select(b => (string)b!["callback_data"]!).Single(d => d.StartsWith($"rp:{action}:", StringComparison.Ordinal));

    private void MariePresses(SentMessage message, string action) =>
        World.Telegram.Presses(AgencyWorld.StaffChat, message.MessageId, Data(message, action), userId: AgencyWorld.Assistant, firstName: "Marie");

    [Test]
    public async Task Report_IsDraftedInTheTopic_AndSend_DeliversTextAndPdfToEveryClientChat_Once()
    {
        await ArrangeWorkAsync();
        var draft = await DraftAsync();
        var sentBefore = World.Telegram.SentTo(Anna).Count;

        MariePresses(draft, "send");
        await NoticeAsync("sent by Marie to 2 client chats");
        MariePresses(draft, "send");
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Count(r => r.Method == "answerCallbackQuery")), n => n >= 2,
            AgencyWorld.Timeout, "both presses answered");
        await World.SettledAsync();

        var toAnna = World.Telegram.SentTo(Anna).Skip(sentBefore).ToList();
        var pdf = World.Telegram.Requests.Where(r => r.Method == "sendDocument").ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(draft.Text, Does.Contain("Website launch: report for"));
            Assert.That(draft.Text, Does.Contain("✅ Done\n• Design\n"));
            Assert.That(draft.Text, Does.Contain("🔧 In progress\n• Homepage: being assigned, in progress"));
            Assert.That(draft.Text, Does.Contain("⏭ Next\n• SEO audit"));
            Assert.That(draft.Text, Does.Not.Contain("margin"), "staff-only tasks are not the client's");
            Assert.That(draft.Text, Does.Contain("⏱ 0 of 40 h used this month."));
            Assert.That(sentBefore, Is.EqualTo(World.Telegram.SentTo(Anna).Count - toAnna.Count));
            Assert.That(toAnna.Where(m => m.Method == "sendMessage").Select(m => m.Text), Has.One.StartsWith("Website launch: report for"));
            Assert.That(pdf.Select(r => r.ChatId).Order(), Is.EqualTo(new long?[] { AcmeGroup, Anna }), "once each");
            Assert.That(Convert.FromBase64String((string)pdf[0].Body["document"]!)[..4], Is.EqualTo("%PDF"u8.ToArray()));
            Assert.That(await CountAsync("SELECT COUNT(*) FROM project_documents WHERE project_id = @project AND kind = 'report'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT COUNT(*) FROM time_entries WHERE project_id = @project AND source = 'report' AND category = 'report'"), Is.EqualTo(1));
            Assert.That(await World.Db.ScalarAsync<string>("SELECT state FROM client_reports"), Is.EqualTo("sent"));
        });
    }

    [Test]
    public async Task Report_Skipped_SendsNothing_AndARewrittenDraft_IsWhatTheClientGets()
    {
        await ArrangeWorkAsync();
        var skipped = await DraftAsync();
        MariePresses(skipped, "skip");
        await NoticeAsync("skipped by Marie");
        var edited = await DraftAsync();
        var id = Data(edited, "send").Split(':')[2];

        MarieWrites($"/report text {id} Dear Anna, the design is done and the homepage is on its way.");
        var revised = (await NoticeAsync("the homepage is on its way")).Last(m => m.Text?.Contains("the homepage is on its way") == true);
        MariePresses(revised, "send");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("Dear Anna") == true));
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(World.Telegram.SentTo(Anna).Count(m => m.Text?.Contains("report for") == true), Is.Zero, "the skipped draft never went");
            Assert.That(await World.Db.QueryAsync<string>("SELECT state FROM client_reports ORDER BY id"), Is.EqualTo(new[] { "skipped", "sent" }));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM client_report_texts"), Is.EqualTo(3), "two drafts and one rewrite, none overwritten");
        });
    }

    [Test]
    public async Task AReportButton_PressedByAStranger_IsRefused()
    {
        var draft = await DraftAsync();
        World.Telegram.Presses(AgencyWorld.StaffChat, draft.MessageId, Data(draft, "send"), userId: 4242, firstName: "Mallory");
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Count(r => r.Method == "answerCallbackQuery")), n => n >= 1,
            AgencyWorld.Timeout, "the press answered");
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await World.Db.ScalarAsync<string>("SELECT state FROM client_reports"), Is.EqualTo("draft"));
            Assert.That(World.Telegram.Requests.Single(r => r.Method == "answerCallbackQuery").Body["text"]?.GetValue<string>(),
                Is.EqualTo("Only registered staff can use these buttons."));
        });
    }

    [Test]
    public void ThePdf_IsAPdf_AndALongReportGoesOverSeveralPages()
    {
        var pdf = ReportPdf.Of("Website launch: report", string.Join("\n", Enumerable.Range(1, 120).Select(i => $"• Line {i} of a long report")));
        var text = System.Text.Encoding.Latin1.GetString(pdf);
        Assert.Multiple(() =>
        {
            Assert.That(pdf[..4], Is.EqualTo("%PDF"u8.ToArray()));
            Assert.That(System.Text.RegularExpressions.Regex.Matches(text, @"/Type\s*/Page\b").Count, Is.GreaterThan(1));
        });
    }
}

/// <summary>Reports on a schedule: a weekly one is drafted on Monday for the week before, once.</summary>
public sealed class ScheduledReportTests : AgencyTest
{
    private FakeTimeProvider _clock = null!;

    protected override Task<AgencyWorld> StartAgencyAsync()
    {
        _clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero)); // a Monday
        return AgencyWorld.StartAsync(clock: _clock);
    }

    [Test]
    public async Task AWeeklyReport_IsDraftedOnMonday_ForTheWeekBefore_Once()
    {
        // The job's first quarter-hourly run, at start-up, must be over before there is a weekly project to draft
        // for: this test counts what each call of its own drafts.
        await World.JobIdleAsync(AgencyBot.Host.Scheduling.ReportJob.Key);
        var (projectId, _) = await World.ProjectAsync();
        (await World.Api.PatchAsJsonAsync($"/api/projects/{projectId}", new { reportEvery = "weekly" })).EnsureSuccessStatusCode();
        var bad = await World.Api.PatchAsJsonAsync($"/api/projects/{projectId}", new { reportEvery = "daily" });
        var drafts = World.Host.Services.GetRequiredService<ReportDrafts>();

        var monday = await drafts.DraftScheduledAsync();
        var again = await drafts.DraftScheduledAsync();
        _clock.Advance(TimeSpan.FromDays(1));
        var tuesday = await drafts.DraftScheduledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That((monday, again, tuesday), Is.EqualTo((1, 0, 0)));
            Assert.That(bad.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.BadRequest));
            Assert.That(await World.Db.QueryAsync<(string, string)>("SELECT period_from, period_to FROM client_reports"),
                Is.EqualTo(new[] { ("2026-11-30", "2026-12-07") }));
        });
    }

    /// <summary>On PostgreSQL the job, every quarter hour, would take the whole database only to find nothing due.</summary>
    [Test]
    public async Task OnADayNoReportIsDue_TheJobDoesNotWaitForTheWholeDatabase()
    {
        TempDatabase.RequirePostgres();
        await World.JobIdleAsync(AgencyBot.Host.Scheduling.ReportJob.Key);
        var (projectId, _) = await World.ProjectAsync();
        (await World.Api.PatchAsJsonAsync($"/api/projects/{projectId}", new { reportEvery = "weekly" })).EnsureSuccessStatusCode();
        _clock.Advance(TimeSpan.FromDays(1)); // a Tuesday
        var drafts = World.Host.Services.GetRequiredService<ReportDrafts>();
        var everything = await AnotherHost.HoldsAsync(World.Db.ConnectionString);
        try
        {
            var drafted = drafts.DraftScheduledAsync();
            var finished = await Task.WhenAny(drafted, Task.Delay(TimeSpan.FromSeconds(3))) == drafted;
            Assert.That(finished ? await drafted : -1, Is.EqualTo(0), "nothing due, found without waiting for the transaction holding everything");
        }
        finally
        {
            await everything.ReleaseAsync();
        }
    }
}

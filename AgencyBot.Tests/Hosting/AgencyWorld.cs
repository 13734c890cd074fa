using System.Net.Http.Json;
using AgencyBot.Core.StaffGroup;
using Quartz;

namespace AgencyBot.Tests.Hosting;

/// <summary>
/// A running agency for end-to-end tests: the real host on a real SQLite file, the fake Bot API with a staff
/// supergroup, a registered assistant, and helpers to create clients and projects through the admin API.
/// </summary>
public sealed class AgencyWorld : IAsyncDisposable
{
    public const long StaffChat = -1009000;
    public const long Assistant = 9001;
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly IDictionary<string, string?> _settings;
    private readonly TimeProvider? _clock;

    private AgencyWorld(FakeBotApi telegram, TempDatabase db, TestHost host, IDictionary<string, string?> settings, TimeProvider? clock)
    {
        (_settings, _clock) = (settings, clock);
        Telegram = telegram;
        Db = db;
        Host = host;
        Api = host.AdminClient();
    }

    public FakeBotApi Telegram { get; }
    public TempDatabase Db { get; }
    public TestHost Host { get; private set; }
    public HttpClient Api { get; private set; }

    public static async Task<AgencyWorld> StartAsync(bool forum = true, IDictionary<string, string?>? settings = null, TimeProvider? clock = null,
        TempDatabase? database = null)
    {
        var telegram = await FakeBotApi.StartAsync(clock);
        telegram.DefineGroup(StaffChat, "Agency staff", isForum: forum);
        var db = database ?? TempDatabase.Create();
        var all = new Dictionary<string, string?>
        {
            ["Agency:StaffChatId"] = StaffChat.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Send limits have their own tests; here they would only make the tests wait.
            ["Telegram:Limits:Enabled"] = "false",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        var host = new TestHost(telegram, db, all, clock).Start();
        var world = new AgencyWorld(telegram, db, host, all, clock);
        if (database is null) await world.StaffAsync(Assistant, "Marie", "assistant");
        return world;
    }

    public async Task<long> StaffAsync(long telegramUserId, string name, string role)
    {
        var response = await Api.PostAsJsonAsync("/api/staff", new { telegramUserId, name, role });
        response.EnsureSuccessStatusCode();
        return (await response.ReadAsAsync<Created>()).Id;
    }

    /// <summary>Creates a client and a project and returns the project id with a fresh invite code.</summary>
    public async Task<(long ProjectId, string Code)> ProjectAsync(string client = "Acme", string project = "Website launch")
    {
        var clientId = (await (await Api.PostAsJsonAsync("/api/clients", new { name = client })).ReadAsAsync<Created>()).Id;
        var projectId = (await (await Api.PostAsJsonAsync("/api/projects", new { clientId, name = project })).ReadAsAsync<Created>()).Id;
        return (projectId, await InviteAsync(projectId));
    }

    public async Task<string> InviteAsync(long projectId)
    {
        return (await (await Api.PostAsync($"/api/projects/{projectId}/invites", null)).ReadAsAsync<InviteAnswer>()).Code;
    }

    /// <summary>A project ("Acme · Website launch") whose client has linked their private chat; returns the project.</summary>
    public async Task<long> ProjectWithClientAsync(long chatId = 601, string firstName = "Anna")
    {
        var (projectId, code) = await ProjectAsync();
        await LinkPrivateChatAsync(chatId, code, firstName: firstName);
        return projectId;
    }

    /// <summary>A client's team group ("Acme team") linked to the project with a fresh invite by one of its members.</summary>
    public async Task LinkGroupAsync(long groupId, long projectId, long userId = 70, string firstName = "Jean")
    {
        Telegram.DefineGroup(groupId, "Acme team");
        Telegram.ClientSends(groupId, $"/link {await InviteAsync(projectId)}", userId: userId, firstName: firstName);
        await WaitForAsync(s => s.Any(m => m.ChatId == groupId));
    }

    /// <summary>Binds a client chat straight in the database, without the onboarding messages.</summary>
    public Task BindDirectlyAsync(long chatId, long projectId) =>
        Db.Database.WriteAsync((c, t) => AgencyBot.Core.Projects.ChatBindingStore.BindChatAsync(c, t, chatId, projectId, DateTimeOffset.UtcNow));

    /// <summary>A client opens the invite link in a private chat and the welcome arrives.</summary>
    public async Task LinkPrivateChatAsync(long chatId, string code, string firstName = "Anna", string language = "en")
    {
        var before = Telegram.SentTo(chatId).Count;
        Telegram.ClientSends(chatId, $"/start {code}", firstName: firstName, languageCode: language);
        await Telegram.WaitForSentAsync(s => s.Count(m => m.ChatId == chatId) > before, Timeout);
    }

    public Task<IReadOnlyList<SentMessage>> WaitForAsync(Func<IReadOnlyList<SentMessage>, bool> condition) =>
        Telegram.WaitForSentAsync(condition, Timeout);

    /// <summary>The staff topic of the only (or given) project, once the bot created it.</summary>
    public async Task<int> TopicAsync(string name = "Acme · Website launch")
    {
        var topic = await Eventually.HoldsAsync(() => Task.FromResult(Telegram.Topics.Where(t => t.Value == name).Select(t => t.Key.Thread).FirstOrDefault()),
            t => t != 0, Timeout, $"topic {name}");
        // Telegram has the topic a moment before the bot has recorded it: a staff message in it before then would find
        // no project, as it would in real life.
        await Eventually.HoldsAsync(() => Db.ScalarAsync<long>("SELECT COUNT(*) FROM staff_topics WHERE thread_id = @topic", new { topic }),
            n => n == 1, Timeout, $"topic {name} recorded");
        return topic;
    }

    /// <summary>Every scheduled job idle: on PostgreSQL a job's run holds the whole database, so a test that holds a
    /// lock of its own waits for their start-up runs first.</summary>
    public async Task JobsIdleAsync()
    {
        var scheduler = await Host.Get<Quartz.ISchedulerFactory>().GetScheduler();
        foreach (var job in await scheduler.GetJobKeys(GroupMatcher<JobKey>.AnyGroup())) await JobIdleAsync(job);
    }

    /// <summary>Waits until a scheduled job has no run due and none under way (its start-up runs are over), so a test
    /// can tell what the job did at start-up from what it does later.</summary>
    public async Task JobIdleAsync(Quartz.JobKey job)
    {
        var scheduler = await Host.Get<Quartz.ISchedulerFactory>().GetScheduler();
        var clock = _clock ?? TimeProvider.System;
        async Task<bool> IdleAsync()
        {
            var due = await scheduler.QueryTriggers(new Quartz.TriggerQuery { Job = job, NextFireTimeBefore = clock.GetUtcNow().AddMilliseconds(1) });
            var running = await scheduler.QueryFireInstances(new Quartz.FireInstanceQuery { Job = job });
            return due.Items.Count == 0 && running.Items.Count == 0;
        }
        // Twice, a moment apart: a trigger that has just fired is not yet among the running jobs.
        for (var i = 0; i < 2; i++)
        {
            await Eventually.HoldsAsync(IdleAsync, idle => idle, Timeout, $"job {job} idle");
            await Task.Delay(200);
        }
    }

    /// <summary>Waits until the pipeline has nothing left to do: every update Telegram holds has been confirmed (so it
    /// is committed: an update fetched but not yet in the inbox, its commit queued behind a job, is not "nothing"), and
    /// the inbox and the outbox are drained. With a webhook set, updates are posted and Telegram holds none.</summary>
    public async Task SettledAsync()
    {
        if (Telegram.WebhookUrl is null)
            await Eventually.HoldsAsync(() => Task.FromResult(Telegram.PendingUpdates), n => n == 0, Timeout, "every update confirmed");
        await Eventually.HoldsAsync(() => Db.ScalarAsync<long>(
            "SELECT (SELECT COUNT(*) FROM inbox WHERE state = 'pending') + (SELECT COUNT(*) FROM outbox WHERE state = 'pending')"),
            n => n == 0, Timeout, "inbox and outbox drained");
        await Task.Delay(100);
    }

    /// <summary>Stops the host and starts a new one on the same database and the same Telegram (a deploy, a crash
    /// and restart): what was queued or claimed before is all the new host knows.</summary>
    public async Task RestartHostAsync()
    {
        Api.Dispose();
        await Host.DisposeAsync();
        Host = new TestHost(Telegram, Db, _settings, _clock).Start();
        Api = Host.AdminClient();
    }

    /// <summary>Stops the host but keeps its database, for a restart on the same file.</summary>
    public bool KeepDatabase { get; set; }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        Api.Dispose();
        await Host.DisposeAsync();
        await Telegram.DisposeAsync();
        if (!KeepDatabase) await Db.DisposeAsync();
    }
}

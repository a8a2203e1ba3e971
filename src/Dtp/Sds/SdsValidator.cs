using System.Globalization;
using System.IO.Enumeration;
using System.Text.RegularExpressions;

namespace Dtp.Sds;

/// <summary>
/// Checks a dataset or a single metadata file against the rules of its SDS version: required values, allowed values, id
/// patterns, uniqueness, folders against subjects/samples rows, manifests against files, and the 3.0 naming rules.
/// </summary>
public static partial class SdsValidator
{
    private static readonly string[] NotApplicable = ["na", "n/a", "none", "not applicable", "no protocols", "not-applicable", "not-available"];

    private static readonly string[] ContributorRoles =
    [
        "PrincipalInvestigator", "CoInvestigator", "CorrespondingAuthor", "ContactPerson", "Creator", "DataCollector", "DataCurator",
        "DataManager", "Distributor", "Editor", "HostingInstitution", "Producer", "ProjectLeader", "ProjectManager", "ProjectMember",
        "RegistrationAgency", "RegistrationAuthority", "RelatedPerson", "Researcher", "ResearchGroup", "RightsHolder", "Sponsor",
        "Supervisor", "WorkPackageLeader", "Other",
    ];

    private static readonly string[] RelationTypes =
    [
        "IsProtocolFor", "HasProtocol", "IsSoftwareFor", "HasSoftware", "SharesEntitiesWithDataset", "UsedResource",
        "IsCitedBy", "Cites", "IsSupplementTo", "IsSupplementedBy", "IsContinuedBy", "Continues", "IsDescribedBy", "Describes",
        "HasMetadata", "IsMetadataFor", "HasVersion", "IsVersionOf", "IsNewVersionOf", "IsPreviousVersionOf", "IsPartOf", "HasPart",
        "IsPublishedIn", "IsReferencedBy", "References", "IsDocumentedBy", "Documents", "IsCompiledBy", "Compiles", "IsVariantFormOf",
        "IsOriginalFormOf", "IsIdenticalTo", "IsReviewedBy", "Reviews", "IsDerivedFrom", "IsSourceOf", "IsRequiredBy", "Requires",
        "IsObsoletedBy", "Obsoletes",
    ];

    private static readonly string[] WindowsDeviceNames =
        ["CON", "PRN", "AUX", "NUL", .. Enumerable.Range(0, 10).SelectMany(i => new[] { $"COM{i}", $"LPT{i}" })];

    private static readonly string[] DataFolders = ["primary", "source", "derivative", "code", "docs", "protocol"];

    private static readonly string[] EntityRoots = ["primary", "source", "derivative"];

    /// <summary>Validates a dataset read by <see cref="SdsDatasetReader"/>.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <returns>The reading findings followed by the validation findings; the dataset is valid when none is an error.</returns>
    public static IReadOnlyList<SdsFinding> Validate(SdsDataset dataset, SdsValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var computational = IsComputational(options, dataset.DatasetType);
        var findings = new List<SdsFinding>(dataset.Findings);
        foreach (var file in dataset.Metadata.Values)
        {
            ValidateContent(file, dataset.Version, computational, findings);
        }

        foreach (var manifest in dataset.Manifests)
        {
            ValidateContent(manifest, dataset.Version, computational, findings);
        }

        new DatasetRules(dataset, computational, findings).Run();
        return findings;
    }

    /// <summary>Validates a single metadata file on its own (no cross-file rules).</summary>
    /// <param name="file">The file.</param>
    /// <param name="version">The SDS version whose rules apply.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <returns>The file's reading findings followed by its validation findings.</returns>
    public static IReadOnlyList<SdsFinding> ValidateFile(SdsMetadataFile file, SdsVersion version, SdsValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        var type = (file as SdsElementFile)?.Element("type")?.First?.Text.Trim().ToLowerInvariant();
        var findings = new List<SdsFinding>(file.Findings);
        ValidateContent(file, version, IsComputational(options, type), findings);
        return findings;
    }

    private static bool IsComputational(SdsValidationOptions? options, string? datasetType) =>
        (options?.Profile ?? SdsProfile.Auto) switch
        {
            SdsProfile.Computational => true,
            SdsProfile.Experimental => false,
            _ => datasetType == "computational",
        };

    private static void ValidateContent(SdsMetadataFile file, SdsVersion version, bool computational, List<SdsFinding> findings)
    {
        var rules = new FileRules(file, version, computational, findings);
        switch (file)
        {
            case SdsElementFile { Kind: SdsFileKind.DatasetDescription } dd:
                rules.DatasetDescription(dd);
                break;
            case SdsElementFile { Kind: SdsFileKind.Submission } submission:
                rules.Submission(submission);
                break;
            case SdsTableFile { Kind: SdsFileKind.Subjects } subjects:
                rules.Subjects(subjects);
                break;
            case SdsTableFile { Kind: SdsFileKind.Samples } samples:
                rules.Samples(samples);
                break;
            case SdsTableFile { Kind: SdsFileKind.Manifest } manifest:
                rules.Manifest(manifest);
                break;
            case SdsTableFile { Kind: SdsFileKind.Performances } performances:
                rules.Ids(performances, "performance_id", "perf", required: true);
                break;
            case SdsTableFile { Kind: SdsFileKind.Sites } sites:
                rules.Ids(sites, "site_id", "site", required: true);
                rules.SpecimenIds(sites, "specimen_id");
                break;
        }

        rules.FormulaLikeValues();
    }

    internal static bool IsNotApplicable(string text) => NotApplicable.Contains(text.Trim(), StringComparer.OrdinalIgnoreCase);

    /// <summary>Returns whether <paramref name="id"/> is a well-formed id with the prefix (2.0+ rules; any fs-safe text for 1.x).</summary>
    internal static bool IsValidId(string id, string prefix, SdsVersion version) =>
        version.AtLeast(SdsVersion.V200)
            ? id.StartsWith(prefix + "-", StringComparison.Ordinal) || id.StartsWith("pop-" + prefix + "-", StringComparison.Ordinal)
                ? EntityIdPattern().IsMatch(id)
                : false
            : FsSafePattern().IsMatch(id);

    [GeneratedRegex(@"^(pop-)?(sub|sam|site|perf|pool)-[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$")]
    private static partial Regex EntityIdPattern();

    [GeneratedRegex("^[A-Za-z0-9][^ \\n\\t*|:\\\\/<>'\"?]+$")]
    private static partial Regex FsSafePattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}([,.]\d+)?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex TimestampPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"^(https://orcid\.org/)?\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")]
    private static partial Regex OrcidPattern();

    [GeneratedRegex(@"^[^,]+, [^,]+$")]
    private static partial Regex ContributorNamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9.,_ -]+$")]
    private static partial Regex PathCharacters();

    /// <summary>The rules of one metadata file.</summary>
    private sealed class FileRules(SdsMetadataFile file, SdsVersion version, bool computational, List<SdsFinding> findings)
    {
        private void Add(SdsSeverity severity, string code, SdsLocation location, string message) =>
            findings.Add(new SdsFinding(severity, code, location, message));

        private SdsLocation ElementLocation(SdsElementFile ef, SdsElement? element) =>
            element is null ? file.At() : file.At(element.Row, ef.ValueColumn);

        /// <summary>Reports a missing element value; returns the element's values when present.</summary>
        private IReadOnlyList<SdsValue> Require(SdsElementFile ef, string key, string label, SdsSeverity severity = SdsSeverity.Error, string? why = null)
        {
            var element = ef.Element(key);
            if (element is { Values.Count: > 0 })
            {
                return element.Values;
            }

            var where = element is null ? "the file has no row for it" : "it has no value";
            Add(severity, SdsFindingCodes.MissingValue, ElementLocation(ef, element),
                $"'{label}' is {(severity == SdsSeverity.Error ? "required" : "recommended")}{why}, but {where}.");
            return [];
        }

        public void DatasetDescription(SdsElementFile dd)
        {
            Require(dd, "metadata_version", "Metadata version");
            Require(dd, "title", version.AtLeast(SdsVersion.V200) ? "Title" : "Name");
            if (version.AtLeast(SdsVersion.V200))
            {
                foreach (var type in Require(dd, "type", "Type"))
                {
                    string[] allowed = version.AtLeast(SdsVersion.V300) ? ["experimental", "computational", "device"] : ["experimental", "computational"];
                    if (!allowed.Contains(type.Text.Trim(), StringComparer.OrdinalIgnoreCase))
                    {
                        Add(SdsSeverity.Error, SdsFindingCodes.InvalidValue, type.Location, $"Type '{type.Text}' is not one of {string.Join(", ", allowed)}.");
                    }
                }

                foreach (var key in new[] { "study_purpose", "study_data_collection", "study_primary_conclusion", "study_organ_system", "study_approach", "study_technique" })
                {
                    Require(dd, key, Label(dd, key), SdsSeverity.Warning);
                }
            }

            if (!version.AtLeast(SdsVersion.V200) || version.AtLeast(SdsVersion.V300))
            {
                Require(dd, "description", "Description");
            }

            Require(dd, "keywords", "Keywords", SdsSeverity.Warning);
            var names = Require(dd, "contributor_name", version.AtLeast(SdsVersion.V200) ? "Contributor name" : "Contributors");
            foreach (var name in names.Where(n => !ContributorNamePattern().IsMatch(n.Text.Trim())))
            {
                Add(SdsSeverity.Warning, SdsFindingCodes.InvalidValue, name.Location, $"Contributor name '{name.Text}' is not written 'Last, First Middle'.");
            }

            foreach (var orcid in dd.Element("contributor_orcid")?.Values ?? [])
            {
                if (!OrcidPattern().IsMatch(orcid.Text.Trim()))
                {
                    Add(SdsSeverity.Warning, SdsFindingCodes.InvalidValue, orcid.Location, $"'{orcid.Text}' is not an ORCiD (https://orcid.org/0000-0000-0000-0000).");
                }
            }

            if (names.Count > 0)
            {
                ContributorRolesAndContacts(dd, names);
            }

            if (!computational)
            {
                Require(dd, "number_of_subjects", "Number of subjects", why: " for experimental datasets");
                Require(dd, "number_of_samples", "Number of samples", why: " for experimental datasets");
            }

            foreach (var key in new[] { "number_of_subjects", "number_of_samples", "number_of_sites", "number_of_performances" })
            {
                foreach (var value in dd.Element(key)?.Values ?? [])
                {
                    if (!int.TryParse(value.Text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    {
                        Add(SdsSeverity.Error, SdsFindingCodes.InvalidValue, value.Location, $"'{Label(dd, key)}' must be a whole number, not '{value.Text}'.");
                    }
                }
            }

            if (version.AtLeast(SdsVersion.V200))
            {
                foreach (var relation in dd.Element("relation_type")?.Values ?? [])
                {
                    if (!RelationTypes.Contains(relation.Text.Trim(), StringComparer.OrdinalIgnoreCase))
                    {
                        Add(SdsSeverity.Error, SdsFindingCodes.InvalidValue, relation.Location, $"Relation type '{relation.Text}' is not a DataCite or SPARC relation type (e.g. HasProtocol, IsDescribedBy).");
                    }
                }
            }
        }

        private void ContributorRolesAndContacts(SdsElementFile dd, IReadOnlyList<SdsValue> names)
        {
            var roles = dd.Element("contributor_role");
            var principal = new List<SdsValue>();
            var contact = false;
            foreach (var cell in roles?.Values ?? [])
            {
                foreach (var role in cell.Text.Split(['|', ';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var known = ContributorRoles.FirstOrDefault(r => r.Equals(role.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
                    if (known is null)
                    {
                        Add(version.AtLeast(SdsVersion.V200) ? SdsSeverity.Error : SdsSeverity.Warning, SdsFindingCodes.InvalidValue, cell.Location,
                            $"Contributor role '{role}' is not a DataCite/SPARC role (e.g. PrincipalInvestigator, CorrespondingAuthor, DataCollector).");
                    }

                    principal.AddRange(known == "PrincipalInvestigator" ? [cell] : []);
                    contact |= known is "CorrespondingAuthor" or "ContactPerson";
                }
            }

            if (principal.Count > 1)
            {
                Add(SdsSeverity.Error, SdsFindingCodes.InvalidValue, principal[1].Location, "At most one contributor may be the PrincipalInvestigator.");
            }

            if (version.AtLeast(SdsVersion.V200))
            {
                if (!contact)
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.MissingValue, ElementLocation(dd, roles),
                        "At least one contributor must have the role CorrespondingAuthor (or ContactPerson).");
                }
            }
            else if (!(dd.Element("is_contact_person")?.Values ?? []).Any(v => v.Text.Trim().Equals("yes", StringComparison.OrdinalIgnoreCase)))
            {
                Add(SdsSeverity.Error, SdsFindingCodes.MissingValue, ElementLocation(dd, dd.Element("is_contact_person")),
                    $"At least one of the {names.Count} contributors must have 'Is Contact Person' set to Yes.");
            }
        }

        private static string Label(SdsElementFile file, string key) => file.Element(key)?.Name.Trim() ?? key.Replace('_', ' ');

        public void Submission(SdsElementFile submission)
        {
            foreach (var element in submission.Elements.Where(e => e.Values.Count > 1))
            {
                Add(SdsSeverity.Error, SdsFindingCodes.Layout, element.Values[1].Location,
                    $"'{element.Name.Trim()}' has {element.Values.Count} values; a submission has one value per row.");
            }

            var external = false;
            if (version.AtLeast(SdsVersion.V210))
            {
                Require(submission, "consortium_data_standard", "Consortium data standard");
                var consortium = Require(submission, "funding_consortium", "Funding consortium");
                external = consortium.Any(c => c.Text.Trim().Equals("EXTERNAL", StringComparison.OrdinalIgnoreCase));
            }
            else
            {
                external = submission.Element("award_number")?.First?.Text.Trim().Equals("EXTERNAL", StringComparison.OrdinalIgnoreCase) == true;
            }

            if (external)
            {
                return;
            }

            var why = version.AtLeast(SdsVersion.V210) ? " unless the funding consortium is EXTERNAL" : string.Empty;
            foreach (var (key, label) in new[] { ("award_number", version.AtLeast(SdsVersion.V210) ? "Award number" : "SPARC Award number"), ("milestone_achieved", "Milestone achieved"), ("milestone_completion_date", "Milestone completion date") })
            {
                var values = Require(submission, key, label, why: why);
                if (values.Count == 0)
                {
                    continue;
                }

                var value = values[0];
                if (IsNotApplicable(value.Text))
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.InvalidValue, value.Location, $"'{label}' is required{why}; '{value.Text}' is not a value.");
                }
                else if (key == "milestone_completion_date" && !DatePattern().IsMatch(value.Text.Trim()))
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.InvalidValue, value.Location, $"Milestone completion date '{value.Text}' is not a date written YYYY-MM-DD.");
                }
            }
        }

        /// <summary>Checks an id column: present, filled, well-formed and unique; returns the ids seen.</summary>
        public Dictionary<string, SdsValue> Ids(SdsTableFile table, string key, string prefix, bool required, bool unique = true)
        {
            var ids = new Dictionary<string, SdsValue>(StringComparer.Ordinal);
            var header = table.Header(key);
            if (header is null)
            {
                if (required)
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.MissingValue, file.At(table.HeaderRow), $"The column '{key.Replace('_', ' ')}' is required but the file has no such header.");
                }

                return ids;
            }

            foreach (var record in table.Records)
            {
                if (record[key] is not { } id)
                {
                    if (required)
                    {
                        Add(SdsSeverity.Error, SdsFindingCodes.MissingValue, file.At(record.Row, header.Column), $"'{header.Text}' is required in every row.");
                    }

                    continue;
                }

                if (id.Text != id.Text.Trim())
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.InvalidId, id.Location, $"'{header.Text}' '{id.Text}' has leading or trailing spaces.");
                }
                else if (!IsValidId(id.Text, prefix, version))
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.InvalidId, id.Location, version.AtLeast(SdsVersion.V200)
                        ? $"'{id.Text}' is not a valid {header.Text}: it must look like {prefix}-1 (letters, digits and inner hyphens after '{prefix}-')."
                        : $"'{id.Text}' is not a valid {header.Text}: use at least two characters, starting with a letter or digit, without spaces or * | : \\ / < > ' \" ?.");
                }

                if (unique && !ids.TryAdd(id.Text, id))
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.Duplicate, id.Location, $"{header.Text} '{id.Text}' appears again (first in {ids[id.Text].Location.Cell}).");
                }
            }

            return ids;
        }

        public void SpecimenIds(SdsTableFile table, string key)
        {
            foreach (var record in table.Records)
            {
                if (record[key] is { } value && !value.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).All(id => IsValidId(id, "sub", version) || IsValidId(id, "sam", version)))
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.InvalidId, value.Location, $"'{value.Text}' is not a subject or sample id (sub-... or sam-...).");
                }
            }
        }

        public void Subjects(SdsTableFile subjects)
        {
            Ids(subjects, "subject_id", "sub", required: true);
            if (!computational)
            {
                RequireColumn(subjects, "species", " for experimental datasets");
            }

            PoolIds(subjects);
        }

        public void Samples(SdsTableFile samples)
        {
            // 1.x sample ids are unique per subject only.
            Ids(samples, "sample_id", "sam", required: true, unique: version.AtLeast(SdsVersion.V200));
            if (!version.AtLeast(SdsVersion.V200))
            {
                var seen = new HashSet<(string?, string)>();
                foreach (var record in samples.Records.Where(r => r["sample_id"] is not null))
                {
                    var sample = record["sample_id"]!;
                    if (!seen.Add((record["subject_id"]?.Text, sample.Text)))
                    {
                        Add(SdsSeverity.Error, SdsFindingCodes.Duplicate, sample.Location, $"Sample '{sample.Text}' of subject '{record["subject_id"]?.Text}' appears again.");
                    }
                }
            }

            foreach (var record in samples.Records.Where(r => r["subject_id"] is null && r["was_derived_from"] is null))
            {
                Add(SdsSeverity.Error, SdsFindingCodes.MissingValue, file.At(record.Row, samples.Header("subject_id")?.Column ?? 1),
                    "Each sample needs a 'subject id' or a 'was derived from'.");
            }

            PoolIds(samples);
        }

        private void PoolIds(SdsTableFile table)
        {
            foreach (var record in table.Records)
            {
                if (record["pool_id"] is { } pool && !IsNotApplicable(pool.Text) && !pool.Text.StartsWith("pool-", StringComparison.Ordinal))
                {
                    Add(SdsSeverity.Warning, SdsFindingCodes.InvalidId, pool.Location, $"Pool id '{pool.Text}' does not start with 'pool-'.");
                }
            }
        }

        private void RequireColumn(SdsTableFile table, string key, string why)
        {
            var header = table.Header(key);
            if (header is null)
            {
                if (table.Records.Count > 0)
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.MissingValue, file.At(table.HeaderRow), $"The column '{key.Replace('_', ' ')}' is required{why} but the file has no such header.");
                }

                return;
            }

            foreach (var record in table.Records.Where(r => r[key] is null))
            {
                Add(SdsSeverity.Error, SdsFindingCodes.MissingValue, file.At(record.Row, header.Column), $"'{header.Text}' is required{why}.");
            }
        }

        public void Manifest(SdsTableFile manifest)
        {
            var key = manifest.Header("filename") is null && manifest.Header("pattern") is not null ? "pattern" : "filename";
            RequireColumn(manifest, key, string.Empty);
            if (manifest.Header(key) is null && manifest.Records.Count == 0)
            {
                Add(SdsSeverity.Error, SdsFindingCodes.MissingValue, file.At(manifest.HeaderRow), "A manifest needs a 'filename' column.");
            }

            var names = new Dictionary<string, SdsValue>(StringComparer.Ordinal);
            foreach (var record in manifest.Records)
            {
                if (record[key] is { } name && !names.TryAdd(name.Text, name))
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.Duplicate, name.Location, $"'{name.Text}' is listed again (first in {names[name.Text].Location.Cell}).");
                }

                if (record["timestamp"] is { } timestamp)
                {
                    var text = timestamp.Text.Trim();
                    var ok = TimestampPattern().IsMatch(text) || (!version.AtLeast(SdsVersion.V200) && DatePattern().IsMatch(text));
                    if (!ok)
                    {
                        Add(SdsSeverity.Error, SdsFindingCodes.InvalidValue, timestamp.Location,
                            $"Timestamp '{timestamp.Text}' is not ISO 8601 with an offset, e.g. 2025-02-24T10:43:07,365166-08:00.");
                    }
                }
            }
        }

        public void FormulaLikeValues()
        {
            IEnumerable<SdsValue> values = file switch
            {
                SdsTableFile t => t.Records.SelectMany(r => r.Values.Values),
                SdsElementFile e => e.Elements.SelectMany(x => x.Values),
                _ => [],
            };
            foreach (var value in values.Where(v => v.Text.StartsWith('=')))
            {
                Add(SdsSeverity.Warning, SdsFindingCodes.InvalidValue, value.Location, $"'{value.Text}' starts with '=', as a formula would; SDS values are plain text.");
            }
        }
    }

    /// <summary>The rules that look across files and folders.</summary>
    private sealed class DatasetRules(SdsDataset dataset, bool computational, List<SdsFinding> findings)
    {
        private readonly SdsVersion _version = dataset.Version;

        private void Add(SdsSeverity severity, string code, SdsLocation location, string message) =>
            findings.Add(new SdsFinding(severity, code, location, message));

        public void Run()
        {
            RequiredFiles();
            var subjects = IdsOf(dataset.Subjects, "subject_id");
            var samples = IdsOf(dataset.Samples, "sample_id");
            Counts(subjects.Count, samples.Count);
            SampleSubjects(subjects);
            TopLevelFolders();
            EntityFolders(subjects, samples);
            Manifests();
            if (_version.AtLeast(SdsVersion.V300))
            {
                PathNames();
            }
        }

        private static HashSet<string> IdsOf(SdsTableFile? table, string key) =>
            table?.Records.Select(r => r[key]?.Text).OfType<string>().ToHashSet(StringComparer.Ordinal) ?? [];

        private void RequiredFiles()
        {
            if (!dataset.Metadata.ContainsKey(SdsFileKind.DatasetDescription) && !findings.Any(f => f.Location.File.StartsWith("dataset_description", StringComparison.OrdinalIgnoreCase)))
            {
                Add(SdsSeverity.Error, SdsFindingCodes.MissingFile, new SdsLocation("dataset_description.xlsx"), "The dataset has no dataset_description file (xlsx, csv, tsv or json) at its top level.");
            }

            if (!dataset.Metadata.ContainsKey(SdsFileKind.Submission) && !HasUnreadable("submission"))
            {
                Add(_version.AtLeast(SdsVersion.V200) ? SdsSeverity.Warning : SdsSeverity.Error, SdsFindingCodes.MissingFile, new SdsLocation("submission.xlsx"),
                    "The dataset has no submission file; SPARC-funded datasets need one.");
            }

            if (_version.AtLeast(SdsVersion.V200) && !dataset.Files.Any(f => f.Path.StartsWith("README", StringComparison.OrdinalIgnoreCase) && !f.Path.Contains('/', StringComparison.Ordinal)))
            {
                Add(SdsSeverity.Warning, SdsFindingCodes.MissingFile, new SdsLocation("README.md"), "The dataset has no README.md at its top level.");
            }

            if (computational)
            {
                return;
            }

            var dd = dataset.DatasetDescription;
            foreach (var (kind, key, prefix) in new[] { (SdsFileKind.Subjects, "number_of_subjects", "sub-"), (SdsFileKind.Samples, "number_of_samples", "sam-") })
            {
                var declared = dd?.Element(key)?.First?.Text is { } t && int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
                var hasFolders = dataset.Folders.Any(f => EntityRoots.Any(e => f.StartsWith(e + "/", StringComparison.Ordinal)) && Path.GetFileName(f).StartsWith(prefix, StringComparison.Ordinal));
                if (!dataset.Metadata.ContainsKey(kind) && !HasUnreadable(kind.Stem()) && (declared > 0 || hasFolders))
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.MissingFile, new SdsLocation(kind.Stem() + ".xlsx"),
                        $"The dataset has {(hasFolders ? prefix + " folders" : $"{declared} {kind.Stem()} in dataset_description")} but no {kind.Stem()} file.");
                }
            }
        }

        private bool HasUnreadable(string stem) =>
            findings.Any(f => f.Code == SdsFindingCodes.UnreadableFile && f.Location.File.StartsWith(stem, StringComparison.OrdinalIgnoreCase));

        private void Counts(int subjects, int samples)
        {
            if (dataset.DatasetDescription is not { } dd)
            {
                return;
            }

            foreach (var (key, label, actual, present) in new[]
                     {
                         ("number_of_subjects", "subjects", subjects, dataset.Subjects is not null),
                         ("number_of_samples", "samples", samples, dataset.Samples is not null),
                     })
            {
                if (dd.Element(key)?.First is { } value && int.TryParse(value.Text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var declared)
                    && (present || declared > 0) && declared != actual)
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.Count, value.Location, $"'{dd.Element(key)!.Name.Trim()}' says {declared} but the {label} file lists {actual}.");
                }
            }
        }

        private void SampleSubjects(HashSet<string> subjects)
        {
            if (dataset.Samples is not { } samples || dataset.Subjects is null)
            {
                return;
            }

            foreach (var record in samples.Records)
            {
                if (record["subject_id"] is { } subject && !subjects.Contains(subject.Text))
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.Structure, subject.Location, $"Sample '{record["sample_id"]?.Text}' belongs to subject '{subject.Text}', which is not in the subjects file.");
                }
            }
        }

        private string[] AllowedTopFolders()
        {
            if (!_version.AtLeast(SdsVersion.V300))
            {
                return DataFolders;
            }

            return [.. DataFolders, _version.AtLeast(SdsVersion.V302) ? "auxiliary" : "aux"];
        }

        private void TopLevelFolders()
        {
            var allowed = AllowedTopFolders();
            foreach (var folder in dataset.Folders.Where(f => !f.Contains('/', StringComparison.Ordinal) && !f.StartsWith('.')))
            {
                if (!allowed.Contains(folder, StringComparer.Ordinal))
                {
                    var hint = EntityPrefix(folder) is not null ? " Entity folders belong inside primary/, source/ or derivative/." : string.Empty;
                    Add(SdsSeverity.Error, SdsFindingCodes.Structure, new SdsLocation(folder + "/"),
                        $"'{folder}' is not an SDS top-level folder ({string.Join(", ", allowed)}).{hint}");
                }
            }
        }

        /// <summary>Returns the entity prefix a folder name claims (<c>sub</c>, <c>sam</c>, ...), or null.</summary>
        private static string? EntityPrefix(string name)
        {
            var bare = name.StartsWith("pop-", StringComparison.Ordinal) ? name[4..] : name;
            foreach (var prefix in new[] { "sub", "sam", "perf", "site", "pool" })
            {
                if (bare.StartsWith(prefix + "-", StringComparison.Ordinal) || bare.StartsWith(prefix + "_", StringComparison.Ordinal))
                {
                    return prefix;
                }
            }

            return null;
        }

        private void EntityFolders(HashSet<string> subjects, HashSet<string> samples)
        {
            var performances = IdsOf(dataset.Metadata.GetValueOrDefault(SdsFileKind.Performances) as SdsTableFile, "performance_id");
            var sites = IdsOf(dataset.Metadata.GetValueOrDefault(SdsFileKind.Sites) as SdsTableFile, "site_id");
            var pools = (dataset.Subjects?.Records ?? []).Concat(dataset.Samples?.Records ?? []).Select(r => r["pool_id"]?.Text).OfType<string>().ToHashSet(StringComparer.Ordinal);
            var sampleSubject = (dataset.Samples?.Records ?? []).Where(r => r["sample_id"] is not null && r["subject_id"] is not null)
                .GroupBy(r => r["sample_id"]!.Text, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First()["subject_id"]!.Text, StringComparer.Ordinal);
            foreach (var folder in dataset.Folders.Where(f => EntityRoots.Any(e => f.StartsWith(e + "/", StringComparison.Ordinal))))
            {
                var name = Path.GetFileName(folder);
                if (EntityPrefix(name) is not { } prefix)
                {
                    continue;
                }

                var location = new SdsLocation(folder + "/");
                if (!IsValidId(name, prefix, _version))
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.InvalidId, location, $"Folder name '{name}' is not a valid {prefix}- id (letters, digits and inner hyphens after '{prefix}-').");
                    continue;
                }

                var parentSubject = folder.Split('/').SkipLast(1).LastOrDefault(p => p.StartsWith("sub-", StringComparison.Ordinal));
                var (known, file) = prefix switch
                {
                    "sub" => (subjects.Contains(name), "subjects"),
                    "sam" => (samples.Contains(name) || (parentSubject is not null && samples.Contains(parentSubject + "_" + name)), "samples"),
                    "perf" => (performances.Contains(name) || !_version.AtLeast(SdsVersion.V200), "performances"),
                    "site" => (sites.Contains(name), "sites"),
                    _ => (pools.Contains(name), "subjects or samples (pool id)"),
                };
                if (!known)
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.Structure, location, $"Folder '{folder}' has no row in {file}.");
                }
                else if (prefix == "sam" && parentSubject is not null && sampleSubject.TryGetValue(name, out var owner) && owner != parentSubject)
                {
                    Add(SdsSeverity.Warning, SdsFindingCodes.Structure, location, $"Sample folder '{folder}' is inside '{parentSubject}' but the samples file gives subject '{owner}'.");
                }
            }
        }

        private void Manifests()
        {
            var files = dataset.Files.Select(f => f.Path).Concat(dataset.Metadata.Values.Select(m => m.Path)).ToHashSet(StringComparer.Ordinal);
            var folders = dataset.Folders.ToHashSet(StringComparer.Ordinal);
            var listed = new HashSet<string>(StringComparer.Ordinal);
            var covered = new HashSet<string>(StringComparer.Ordinal);
            foreach (var manifest in dataset.Manifests)
            {
                var folder = Path.GetDirectoryName(manifest.Path)?.Replace('\\', '/') ?? string.Empty;
                var prefix = folder.Length == 0 ? string.Empty : folder + "/";
                covered.Add(folder);
                var isPattern = manifest.Header("filename") is null && manifest.Header("pattern") is not null;
                foreach (var record in manifest.Records)
                {
                    if (record[isPattern ? "pattern" : "filename"] is not { } entry)
                    {
                        continue;
                    }

                    var relative = prefix + entry.Text.Trim().Replace('\\', '/').TrimStart('.', '/').TrimEnd('/');
                    if (isPattern || relative.Contains('*', StringComparison.Ordinal) || relative.Contains('?', StringComparison.Ordinal))
                    {
                        var matches = files.Where(f => FileSystemName.MatchesSimpleExpression(relative, f, ignoreCase: false)).ToList();
                        listed.UnionWith(matches);
                        continue;
                    }

                    if (files.Contains(relative))
                    {
                        listed.Add(relative);
                    }
                    else if (folders.Contains(relative))
                    {
                        listed.UnionWith(files.Where(f => f.StartsWith(relative + "/", StringComparison.Ordinal)));
                    }
                    else
                    {
                        Add(SdsSeverity.Error, SdsFindingCodes.Manifest, entry.Location, $"The manifest lists '{entry.Text}', but {relative} does not exist.");
                    }
                }
            }

            var unlisted = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var file in dataset.Files.Select(f => f.Path).Where(p => p.Contains('/', StringComparison.Ordinal) && !Path.GetFileName(p).StartsWith('.')))
            {
                var top = file[..file.IndexOf('/', StringComparison.Ordinal)];
                if (!AllowedTopFolders().Contains(top, StringComparer.Ordinal) || listed.Contains(file))
                {
                    continue;
                }

                var hasManifest = Ancestors(file).Any(covered.Contains);
                if (hasManifest)
                {
                    Add(SdsSeverity.Warning, SdsFindingCodes.Manifest, new SdsLocation(file), $"{file} is not listed in its folder's manifest.");
                }
                else
                {
                    unlisted[top] = unlisted.GetValueOrDefault(top) + 1;
                }
            }

            foreach (var (top, count) in unlisted)
            {
                Add(SdsSeverity.Warning, SdsFindingCodes.Manifest, new SdsLocation(top + "/"),
                    $"{top}/ has {count} file(s) that no manifest describes; 'dtp sds manifest' creates the manifest.");
            }
        }

        private static IEnumerable<string> Ancestors(string path)
        {
            for (var i = path.LastIndexOf('/'); i > 0; i = path.LastIndexOf('/', i - 1))
            {
                yield return path[..i];
            }

            yield return string.Empty;
        }

        private void PathNames()
        {
            var entries = dataset.Folders.Select(f => (Path: f, IsFolder: true))
                .Concat(dataset.Files.Select(f => (f.Path, IsFolder: false)))
                .Concat(dataset.Metadata.Values.Concat(dataset.Manifests).Select(m => (m.Path, IsFolder: false)));
            foreach (var (path, isFolder) in entries)
            {
                var parts = path.Split('/');
                var name = parts[^1];
                var topLevel = parts.Length == 1;
                var location = new SdsLocation(isFolder ? path + "/" : path);
                if (topLevel && name is ".dss" or "auxiliary" || (topLevel && name == "aux" && !_version.AtLeast(SdsVersion.V302)))
                {
                    continue;
                }

                if (name is "Thumbs.db" or ".DS_Store")
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.PathName, location, $"'{name}' is an operating-system file; remove it from the dataset.");
                    continue;
                }

                if (!PathCharacters().IsMatch(name))
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.PathName, location, $"'{name}' contains characters SDS 3.0 does not allow in names (only letters, digits, '.', ',', '-', '_' and space).");
                }
                else if (name != name.Trim() || name.Contains("  ", StringComparison.Ordinal))
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.PathName, location, $"'{name}' has leading, trailing or doubled spaces.");
                }

                var stem = name.Split('.')[0];
                if (WindowsDeviceNames.Contains(stem, StringComparer.OrdinalIgnoreCase))
                {
                    Add(SdsSeverity.Error, SdsFindingCodes.PathName, location, $"'{name}' is a reserved device name on Windows.");
                }

                if (name.StartsWith('.') && !topLevel && parts[0] != "code")
                {
                    Add(SdsSeverity.Warning, SdsFindingCodes.PathName, location, $"'{name}' is a hidden name outside the top level and code/.");
                }
                else if (isFolder && name.Contains('.', StringComparison.Ordinal) && !name.StartsWith('.'))
                {
                    Add(SdsSeverity.Warning, SdsFindingCodes.PathName, location, $"Folder name '{name}' contains a '.'.");
                }
                else if (!isFolder && name.Count(c => c == '.') > 1 && !name.StartsWith('.'))
                {
                    Add(SdsSeverity.Warning, SdsFindingCodes.PathName, location, $"File name '{name}' has more than one '.'.");
                }
            }
        }
    }
}

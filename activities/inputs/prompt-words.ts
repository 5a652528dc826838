/**
 * The words synthetic prompts are made of (as vLLM's random dataset and GuideLLM's synthetic data make prompts
 * from a fixed text): common short English words, each a single token with its leading space in current LLM
 * vocabularies (checked against SmolLM2's in test/integration/llm-prompts.test.ts), so a prompt's length in
 * tokens is close to its length in words, and a word more or less moves it by one.
 */
export const PROMPT_WORDS: readonly string[] = `
the of and to in is that for it as was with be by on not he this are or his from at which but have an they you
were her she there one all we their been has when who will more no if out so said what up its about into than
them can only other new some time could these two may then do first any my now such like our over man me even
most made after also did many before must through back years where much your way well down should because each
just those people how too little state good very make world still own see men work long get here between both
life being under never day same another know while last might us great old year off come since against go came
right used take three states himself few house use during without again place around however home small found
thought went say part once general high upon school every does got united left number course war until
always away something fact though water less public put think almost hand enough far took head yet government
system better set told nothing night end why called find look asked later point next program city business
give group toward young days let room president side social present given several order national second possible
rather per face among form important often things looked early white case john become large big need four within
felt along children saw best church ever least power development light thing seemed family interest want members
mind area country others although turned done open god service certain kind problem began different door thus help
sense means whole matter perhaps itself times law human line above name example action company local show
whether five history gave today either act feet across taken past quite anything seen having death experience body
word half really week field car words already themselves information tell together college shall money period held
keep sure probably free seems political real behind cannot miss question air office making brought whose special
heard major problems ago became federal moment study available known result street economic boy position reason
change south board individual job areas society west close turn love community true court force full seem am
`.split(/\s+/).filter((w) => w !== '');
